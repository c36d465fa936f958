#!/usr/bin/env python3
"""Records what CPython's standard library does for the pieces of OpenAI's
CLIP text cleaning that vlmtune re-implements (python_cases.json):
html.unescape, bytes.decode('utf-8', 'replace') (the same maximal-subpart
rule as Rust's String::from_utf8_lossy) and str.lower.

    cd tokenizer/testdata && python3 gen_python_cases.py
"""
import html
import json
import sys

UNESCAPE = [
    "&amp;", "&amp", "&lt;tag&gt;", "&AMP;", "&Amp;", "&eacute;", "&Eacute;", "&EACUTE;", "&eacutex",
    "&ampx;", "&amp_x", "&notin;", "&notit;", "&not it", "&#65;", "&#65", "&#x41;", "&#X41", "&#x;",
    "&#;", "&#0;", "&#128;", "&#150;", "&#x9F;", "&#127;", "&#1;", "&#xD800;", "&#1114112;",
    "&#99999999999999999999;", "&#xFFFE;", "&#65534;", "&#x1F600;", "&semi;", "&nbsp;x", "&nbspx",
    "&fjlig;", "&NotEqualTilde;", "&ThickSpace;", "a & b", "&", "&&amp;;", "&#38;amp;",
    "&copy2024", "&Jscr;ohn &HilbertSpace;ancock", "&checkmark;", "P&eacute;rez", "&;", "&x;",
    "&lt", "&LT", "&gt;&GT;&Gt;", "&#x110000;", "&#x00041;", "tab&\tamp;", "&ouml;&OUML;",
]

LOSSY = [
    "61", "c3a9", "c3", "e282", "e282ac", "e2", "e2ac", "f09f9880", "f09f98", "f09f", "f0", "ff",
    "80", "c0af", "eda080", "f4908080", "c2", "e0a0", "e080", "f48f", "61e28262", "fe", "c3c3a9",
    "f8888080", "eda0", "e0", "edbfbf",
]

LOWER = [
    "ΟΔΟΣ", "ΟΔΟΣ.", "Σ", "ΑΣ", "ΑΣ Β", "ΑΣΑ", "Α'Σ", "ΑΣ'", "ΟΔΟΣ ΟΔΟΣ", "İstanbul", "ÀÉÎ", "ǅ", "ΑΣ\u0301",
    "1Σ", "aΣb", "A\u0345Σ",
]


def main():
    out = {
        "generator": "gen_python_cases.py with CPython %s" % sys.version.split()[0],
        "html_unescape": [[s, html.unescape(s)] for s in UNESCAPE],
        "utf8_replace": [[h, bytes.fromhex(h).decode("utf-8", "replace")] for h in LOSSY],
        "lower": [[s, s.lower()] for s in LOWER],
    }
    with open("python_cases.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
