#!/usr/bin/env python3
"""PyTorch peer of `vlmtune embed --bench --arch clip-vit-b-32`: image
embedding throughput of CLIP ViT-B/32's vision tower + visual_projection
(HF CLIPVisionModelWithProjection, 87,849,216 parameters, random weights)
under torch.no_grad() (--whole-model: the whole CLIPModel is built, as a
program that loads a CLIP checkpoint holds both towers), on random pixels [B,3,224,224] (no image decoding,
no preprocessing), L2-normalized image_embeds [B,512] as output.

Times --iters batches after --warmup untimed ones. --attn eager (default) is
transformers' eager attention; --attn fast uses torch's fused native
multi-head-attention kernel (torch._native_multi_head_attention, the
nn.MultiheadAttention inference fast path) with one packed q|k|v GEMM. The
model is bench/train/clip_model.py, held against transformers 4.44 by
bench/train/parity_check.py. OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are
set from --threads before torch is imported (an existing value wins).

With --json prints one JSON object: images_per_s, sec_per_batch,
sec_per_batch_min, cpu_sec_per_batch, peak_rss_bytes, params, batch, iters,
warmup, attn, whole_model, torch_version, threads.

    /usr/bin/python3 bench/embed/embed_torch.py --batch 32 --iters 5 --threads 2 --json
"""
import argparse
import json
import os
import sys


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--iters", type=int, default=5, help="timed batches")
    ap.add_argument("--warmup", type=int, default=1, help="untimed batches before timing")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", choices=("eager", "fast"), default="eager")
    ap.add_argument("--whole-model", action="store_true",
                    help="build the whole CLIPModel (both towers, 151,277,313 parameters) and time "
                         "get_image_features; the default builds the vision tower and projection only")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    for name in ("batch", "iters", "threads"):
        if getattr(args, name) < 1:
            ap.error("--%s must be at least 1, got %d" % (name, getattr(args, name)))
    if args.warmup < 0:
        ap.error("--warmup must be at least 0, got %d" % args.warmup)
    return args


ARGS = parse_args(sys.argv[1:]) if __name__ == "__main__" else None
if ARGS is not None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

import time  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
import clip_model as cm  # noqa: E402
from clip_torch import peak_rss_bytes  # noqa: E402


def embed(model, pixels):
    e = model.get_image_features(pixels) if isinstance(model, cm.CLIPModel) else model(pixels)
    return e / e.norm(p=2, dim=-1, keepdim=True)


def run(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = cm.vit_b32_config(args.attn)
    if args.whole_model:
        model = cm.CLIPModel(cfg).eval()
    else:
        model = cm.CLIPVisionModelWithProjection(cfg).eval()
    params = cm.count_params(model)[1]
    size = model.config.vision.image_size
    gen = torch.Generator().manual_seed(args.seed + 1)
    pixels = torch.randn(args.batch, 3, size, size, generator=gen)
    with torch.no_grad():
        for _ in range(args.warmup):
            embed(model, pixels)
        times = []
        cpu = time.process_time()
        for _ in range(args.iters):
            t = time.perf_counter()
            out = embed(model, pixels)
            times.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu
    if not torch.isfinite(out).all():
        raise SystemExit("embed_torch: non-finite embeddings; the model is broken")
    elapsed = sum(times)
    return {
        "arch": "clip-vit-b-32",
        "attn": args.attn,
        "batch": args.batch,
        "iters": args.iters,
        "warmup": args.warmup,
        "images_per_s": args.batch * args.iters / elapsed,
        "sec_per_batch": elapsed / args.iters,
        "sec_per_batch_min": min(times),
        "cpu_sec_per_batch": cpu / args.iters,
        "peak_rss_bytes": peak_rss_bytes(),
        "params": params,
        "whole_model": args.whole_model,
        "embed_dim": out.shape[1],
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def main():
    r = run(ARGS)
    if ARGS.json:
        print(json.dumps(r))
        return
    print("PyTorch %s CLIP ViT-B/32 image embedding (%s attention), batch %d, %d threads, %s params"
          % (r["torch_version"], r["attn"], r["batch"], r["threads"], format(r["params"], ",")))
    print("  %.2f images/s, %.3f s/batch (best %.3f s, %.3f CPU s) over %d batches after %d warm-up"
          % (r["images_per_s"], r["sec_per_batch"], r["sec_per_batch_min"], r["cpu_sec_per_batch"],
             r["iters"], r["warmup"]))
    print("  peak RSS %.2f GiB" % (r["peak_rss_bytes"] / 2 ** 30))


if __name__ == "__main__":
    main()
