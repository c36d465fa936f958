#!/usr/bin/env python3
"""Join vlmtune's and PyTorch's benchmark JSON into a Markdown table.

    table.py train DIR METHOD...   DIR/vlmtune-METHOD.json, DIR/torch-METHOD.json
    table.py embed DIR             DIR/vlmtune-embed.json, DIR/torch-embed.json

Each file holds the JSON object the benchmark printed (a missing, empty or
unparsable file leaves its columns as "n/a"). Ratios are vlmtune/PyTorch:
above 1 means vlmtune is faster (throughput) or uses more memory (RSS).
Standard library only.
"""
import json
import os
import sys


def load(path):
    """The last JSON object line of path, or {}."""
    try:
        with open(path) as f:
            lines = [line.strip() for line in f if line.strip().startswith("{")]
    except OSError:
        return {}
    for line in reversed(lines):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}


def num(r, key):
    v = r.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fmt(x, spec):
    return "n/a" if x is None else spec.format(x)


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "{:.2f}".format(a / b)


def gib(x):
    return None if x is None else x / 2 ** 30


def train(d, methods):
    print("| method | vlmtune samples/s | PyTorch samples/s | vlmtune/PyTorch | vlmtune peak RSS GiB"
          " | PyTorch peak RSS GiB | vlmtune/PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    rows = []
    for m in methods:
        t = load(os.path.join(d, "torch-%s.json" % m))
        v = load(os.path.join(d, "vlmtune-%s.json" % m))
        pooled = load(os.path.join(d, "vlmtune-%s-pooled.json" % m))
        # vlmtune-M.json is like for like (every position computed) when a
        # pooled-only run sits beside it.
        rows.append((m + (", all tokens (same work)" if pooled else ""), v, t))
        if pooled:
            rows.append((m + ", pooled tokens only (trainer default)", pooled, t))
    for label, v, t in rows:
        vs, ts = num(v, "samples_per_s"), num(t, "samples_per_s")
        vr, tr = num(v, "peak_rss_bytes"), num(t, "peak_rss_bytes")
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(vs, "{:.3f}"), fmt(ts, "{:.3f}"), ratio(vs, ts),
            fmt(gib(vr), "{:.2f}"), fmt(gib(tr), "{:.2f}"), ratio(vr, tr)))
    for m in methods:
        v = load(os.path.join(d, "vlmtune-%s.json" % m))
        t = load(os.path.join(d, "torch-%s.json" % m))
        for side, r in (("vlmtune", v), ("PyTorch", t)):
            if r:
                notes.append("%s %s: %s trainable of %s parameters" % (
                    m, side, format(r.get("trainable_params", "?"), ","), format(r.get("total_params", "?"), ",")))
        if v and t and (v.get("trainable_params"), v.get("total_params")) != \
                (t.get("trainable_params"), t.get("total_params")):
            notes.append("%s: WARNING the two sides do not train the same parameter counts" % m)
        if t:
            notes.append("%s PyTorch: %.2f s/step (best %.2f s, %.2f CPU s), %s attention, torch %s, %s threads" % (
                m, t.get("sec_per_step", 0), t.get("sec_per_step_min", 0), t.get("cpu_sec_per_step", 0),
                t.get("attn", "?"), t.get("torch_version", "?"), t.get("threads", "?")))
    for n in notes:
        print("- " + n)


def embed(d):
    v = load(os.path.join(d, "vlmtune-embed.json"))
    t = load(os.path.join(d, "torch-embed.json"))
    vs, ts = num(v, "images_per_s"), num(t, "images_per_s")
    vr, tr = num(v, "peak_rss_bytes"), num(t, "peak_rss_bytes")
    print("| batch | vlmtune images/s | PyTorch images/s | vlmtune/PyTorch | vlmtune peak RSS GiB"
          " | PyTorch peak RSS GiB | vlmtune/PyTorch |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print("| %s | %s | %s | %s | %s | %s | %s |" % (
        t.get("batch", v.get("batch", "?")), fmt(vs, "{:.2f}"), fmt(ts, "{:.2f}"), ratio(vs, ts),
        fmt(gib(vr), "{:.2f}"), fmt(gib(tr), "{:.2f}"), ratio(vr, tr)))
    if t:
        print("- PyTorch: %.3f s/batch (best %.3f s, %.3f CPU s), %s attention, %s params, torch %s, %s threads" % (
            t.get("sec_per_batch", 0), t.get("sec_per_batch_min", 0), t.get("cpu_sec_per_batch", 0),
            t.get("attn", "?"), format(t.get("params", 0), ","), t.get("torch_version", "?"), t.get("threads", "?")))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "embed":
        embed(sys.argv[2])
    else:
        sys.exit("usage: table.py train DIR METHOD... | table.py embed DIR")


if __name__ == "__main__":
    main()
