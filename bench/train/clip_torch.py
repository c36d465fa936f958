#!/usr/bin/env python3
"""PyTorch peer of `vlmtune bench train --arch clip-vit-b-32`: time CLIP
ViT-B/32 training steps on random data with random weights.

A step: forward on random pixels [B,3,224,224] and random token ids [B,77]
(BOS, random ids, EOS at a random position per row, EOS padding after it as
openai's tokenizer pads), CLIP's symmetric cross-entropy loss, backward,
AdamW (lr 1e-5, weight decay 0.1 on every trainable tensor, torch's default
betas/eps). Methods:
  full  every parameter trainable (151,277,313)
  lora  LoRA r=16, alpha 32 on q_proj and v_proj of every layer of both
        towers, base frozen; only A and B (983,040) in the optimizer.
--attn eager (default) is transformers' eager attention; --attn fast packs
q|k|v into one GEMM (see clip_model.py). The model and its parity with
transformers 4.44: bench/train/clip_model.py, bench/train/parity_check.py.

Times --steps steps after --warmup untimed ones. OpenBLAS (torch's GEMM in
Debian's build) keeps its own thread pool, which torch.set_num_threads does
not size, so OPENBLAS_NUM_THREADS and OMP_NUM_THREADS are set from --threads
before torch is imported (an existing value in the environment wins).
With --json prints one JSON object: samples_per_s, sec_per_step,
peak_rss_bytes, trainable_params, total_params, torch_version, threads, and
method, attn, batch, steps, warmup, sec_per_step_min, cpu_sec_per_step
(process CPU time: less sensitive to other load than wall time), losses.

    /usr/bin/python3 bench/train/clip_torch.py --method lora --batch 16 --steps 3 --threads 2 --json
"""
import argparse
import json
import os
import sys


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--method", choices=("full", "lora"), default="full")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5, help="timed steps")
    ap.add_argument("--warmup", type=int, default=1, help="untimed steps before timing")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--attn", choices=("eager", "fast"), default="eager")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    for name in ("batch", "steps", "threads"):
        if getattr(args, name) < 1:
            ap.error("--%s must be at least 1, got %d" % (name, getattr(args, name)))
    if args.warmup < 0:
        ap.error("--warmup must be at least 0, got %d" % args.warmup)
    return args


ARGS = parse_args(sys.argv[1:]) if __name__ == "__main__" else None
if ARGS is not None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

import resource  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_model as cm  # noqa: E402

BOS, EOS = 49406, 49407


def peak_rss_bytes():
    """VmHWM from /proc/self/status, else ru_maxrss (KiB on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def random_batch(batch, cfg, gen):
    """pixels [B,3,H,W] ~ N(0,1); ids [B,T]: BOS, ids < BOS, EOS at a random
    position in [1,T-1], EOS (the pad token of openai's tokenizer) after."""
    size, t = cfg.vision.image_size, cfg.text.max_position_embeddings
    pixels = torch.randn(batch, cfg.vision.num_channels, size, size, generator=gen)
    ids = torch.randint(0, BOS, (batch, t), generator=gen)
    ids[:, 0] = BOS
    eos = torch.randint(1, t, (batch,), generator=gen)
    ids[torch.arange(t)[None, :] >= eos[:, None]] = EOS
    return pixels, ids


def build(method, attn, seed):
    """The model, its trainable parameters and an AdamW over them."""
    torch.manual_seed(seed)
    model = cm.CLIPModel(cm.vit_b32_config(attn))
    if method == "lora":
        params = cm.apply_lora(model, r=16, alpha=32)
    else:
        params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.1)
    return model, opt


def step(model, opt, pixels, ids):
    opt.zero_grad(set_to_none=True)
    loss = model(ids, pixels)["loss"]
    loss.backward()
    opt.step()
    return loss.item()


def run(args):
    torch.set_num_threads(args.threads)
    model, opt = build(args.method, args.attn, args.seed)
    model.train()
    trainable, total = cm.count_params(model)
    pixels, ids = random_batch(args.batch, model.config, torch.Generator().manual_seed(args.seed + 1))
    losses = []
    for _ in range(args.warmup):
        losses.append(step(model, opt, pixels, ids))
    times = []
    cpu = time.process_time()
    for _ in range(args.steps):
        t = time.perf_counter()
        losses.append(step(model, opt, pixels, ids))
        times.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    elapsed = sum(times)
    return {
        "arch": "clip-vit-b-32",
        "method": args.method,
        "attn": args.attn,
        "batch": args.batch,
        "steps": args.steps,
        "warmup": args.warmup,
        "samples_per_s": args.batch * args.steps / elapsed,
        "sec_per_step": elapsed / args.steps,
        "sec_per_step_min": min(times),
        "cpu_sec_per_step": cpu / args.steps,
        "peak_rss_bytes": peak_rss_bytes(),
        "trainable_params": trainable,
        "total_params": total,
        "losses": losses,
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def main():
    r = run(ARGS)
    if ARGS.json:
        print(json.dumps(r))
        return
    print("PyTorch %s CLIP ViT-B/32 %s training (%s attention), batch %d, %d threads"
          % (r["torch_version"], r["method"], r["attn"], r["batch"], r["threads"]))
    print("  params: %s trainable of %s" % (format(r["trainable_params"], ","), format(r["total_params"], ",")))
    print("  %.3f samples/s, %.2f s/step (best %.2f s, %.2f CPU s) over %d steps after %d warm-up"
          % (r["samples_per_s"], r["sec_per_step"], r["sec_per_step_min"], r["cpu_sec_per_step"],
             r["steps"], r["warmup"]))
    print("  peak RSS %.2f GiB; losses %s" % (r["peak_rss_bytes"] / 2 ** 30, " ".join("%.4f" % x for x in r["losses"])))


if __name__ == "__main__":
    main()
