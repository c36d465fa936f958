#!/usr/bin/env python3
"""Join the JSON lines of vlmtune, OpenBLAS and PyTorch GEMM runs into one
Markdown table (BENCHMARKS.md rows): shape, vlmtune GFLOP/s, % of the
measured FMA peak, OpenBLAS GFLOP/s, PyTorch GFLOP/s and the ratios.

    compare.py vlmtune.jsonl openblas.jsonl torch.jsonl [shapes.tsv]
A missing or empty file leaves its columns as "n/a". shapes.tsv (from
`vlmtune bench gemm --list-shapes`) names the shapes.
"""
import json
import sys


def load(path):
    rows = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    rows[(r["m"], r["k"], r["n"], r["trans"])] = r
    except OSError:
        pass
    return rows


def fmt(x, spec="{:.1f}"):
    return "n/a" if x is None else spec.format(x)


def names(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                shape, _, name = line.strip().partition("\t")
                if shape:
                    out[shape] = name
    except (OSError, IndexError):
        pass
    return out


def main():
    ours, blas, torch = (load(p) for p in sys.argv[1:4])
    named = names(sys.argv[4]) if len(sys.argv) > 4 else {}
    print("| shape (name) | M×K×N op | vlmtune GFLOP/s | % of peak | OpenBLAS GFLOP/s | PyTorch GFLOP/s | vlmtune/OpenBLAS | vlmtune/PyTorch |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key, r in ours.items():
        g = r["gflops"]
        b = blas.get(key, {}).get("gflops")
        t = torch.get(key, {}).get("gflops")
        peak = r.get("peak_gflops") or 0
        print("| {} | {}×{}×{} {} | {:.1f} | {} | {} | {} | {} | {} |".format(
            named.get("%dx%dx%d:%s" % key, r.get("name", "")), key[0], key[1], key[2], key[3], g,
            fmt(100 * g / peak if peak else None, "{:.0f}%"),
            fmt(b), fmt(t),
            fmt(g / b if b else None, "{:.2f}×"), fmt(g / t if t else None, "{:.2f}×")))


if __name__ == "__main__":
    main()
