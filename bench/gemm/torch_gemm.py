#!/usr/bin/env python3
"""Measure PyTorch's float32 matmul at the shapes of `vlmtune bench gemm`.

Same method as bench/gemmbench.MeasureFunc: one warm-up call, then 5 rounds
of equal call counts filling about --min-time; prints one JSON object per
shape (keys m, k, n, trans, gflops). Needs Debian's python3-torch.

    python3 bench/gemm/torch_gemm.py --threads 2 --shapes 1024x1024x1024:nn
"""
import argparse
import json
import statistics
import sys
import time

import torch


def parse(shapes):
    out = []
    for item in shapes.split(","):
        item = item.strip()
        if not item:
            continue
        dims, _, trans = item.partition(":")
        m, k, n = (int(x) for x in dims.lower().split("x"))
        out.append((m, k, n, (trans or "nn").lower()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-time", type=float, default=0.3, help="seconds per shape")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(1)
    for m, k, n, trans in parse(args.shapes):
        a = torch.randn((k, m) if trans[0] == "t" else (m, k), generator=gen)
        b = torch.randn((n, k) if trans[1] == "t" else (k, n), generator=gen)
        opa = a.t() if trans[0] == "t" else a
        opb = b.t() if trans[1] == "t" else b
        c = torch.empty((m, n))
        run = lambda: torch.matmul(opa, opb, out=c)
        t = time.perf_counter()
        run()
        once = time.perf_counter() - t
        calls = max(1, int(args.min_time / 5 / max(once, 1e-9)))
        flops = 2.0 * m * k * n
        g = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(calls):
                run()
            g.append(flops * calls / (time.perf_counter() - t) / 1e9)
        print(json.dumps({"m": m, "k": k, "n": n, "trans": trans,
                          "gflops": statistics.median(g), "best_gflops": max(g),
                          "threads": torch.get_num_threads(), "impl": "torch " + torch.__version__}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
