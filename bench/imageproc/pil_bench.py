#!/usr/bin/python3
"""PIL side of the imageproc benchmark (bench/imageproc/run.sh).

gen DIR N     writes N photo-like 640x480 JPEGs (quality 90, 4:2:0) into DIR.
bench DIR S MODE
              runs, for about S seconds in this one process, the CLIP
              preprocessing of every file and prints images per wall-clock
              second and per CPU second of this process. MODE "pil" is the
              lean PIL + numpy path: decode, convert to RGB only when needed,
              resize the shortest edge to 224 (bicubic, int() of the long
              side), center crop 224x224, rescale (float64 * 1/255 ->
              float32), normalize with the OpenAI CLIP mean/std, CHW array.
              MODE "hf" repeats the steps transformers 4.44's
              CLIPImageProcessor runs on a PIL image, copies included
              (np.array, Image.fromarray(astype(uint8)), resize, np.array,
              crop through channel-first views, rescale, normalize,
              transpose, stack).
"""
import glob, io, math, os, sys, time
import numpy as np
from PIL import Image

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def gen(d, n):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:480, 0:640].astype(np.float32)
    for i in range(n):
        fx, fy = rng.uniform(20, 90, 2)
        img = np.stack([
            128 + 90 * np.sin(x / fx) * np.cos(y / fy),
            255 * x / 640 * rng.uniform(0.5, 1),
            255 * y / 480 * rng.uniform(0.5, 1)], -1)
        for _ in range(12):  # objects with sharp edges
            cx, cy, r = rng.uniform(0, 640), rng.uniform(0, 480), rng.uniform(15, 90)
            img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
        img += rng.normal(0, 5, img.shape)  # sensor noise / texture
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(
            os.path.join(d, f"{i:03d}.jpg"), quality=90)


def out_size(w, h):
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(224 * long / short)
    return (224, new_long) if w <= h else (new_long, 224)


def process_pil(data):
    im = Image.open(io.BytesIO(data))
    if im.mode != "RGB":
        im = im.convert("RGB")
    ow, oh = out_size(*im.size)
    a = np.asarray(im.resize((ow, oh), resample=Image.BICUBIC))
    top, left = (oh - 224) // 2, (ow - 224) // 2
    a = a[top:top + 224, left:left + 224]
    a = (a * (1 / 255)).astype(np.float32)
    a = (a - MEAN) / STD
    return np.ascontiguousarray(a.transpose(2, 0, 1))


def process_hf(data):
    im = Image.open(io.BytesIO(data))
    if im.mode != "RGB":  # convert_to_rgb
        im = im.convert("RGB")
    a = np.array(im)  # to_numpy_array
    h, w = a.shape[:2]
    ow, oh = out_size(w, h)
    pil = Image.fromarray(a.astype(np.uint8))  # resize -> to_pil_image
    a = np.array(pil.resize((ow, oh), resample=3))
    c = a.transpose(2, 0, 1)  # center_crop works channel-first
    top, left = (oh - 224) // 2, (ow - 224) // 2
    c = c[..., top:top + 224, left:left + 224].transpose(1, 2, 0)
    f = (c * (1 / 255)).astype(np.float32)  # rescale
    f = (f - MEAN) / STD  # normalize (channels last)
    return np.array([f.transpose(2, 0, 1)])  # to channels first, batch


def bench(d, seconds, mode):
    process = process_hf if mode == "hf" else process_pil
    files = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(d, "*.jpg")))]
    if not files:
        sys.exit(f"no .jpg files in {d}")
    for f in files[:4]:
        process(f)  # warm up
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        process(files[n % len(files)])
        n += 1
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(f"{mode}_images_per_s {n / dt:.1f}")
    print(f"{mode}_images_per_cpu_s {n / dc:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    else:
        bench(sys.argv[2], float(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "pil")
