#!/usr/bin/python3
"""Generates the PIL reference data for the imageproc tests.

Run with Debian's Pillow 9.4 (apt-get install python3-pil python3-numpy):
    cd imageproc/testdata && /usr/bin/python3 gen_pil.py
libjpeg-turbo's cjpeg (apt-get install libjpeg-turbo-progs) writes some of
the JPEG variants. It writes source images (src_*.png), Pillow's resize results
(resize_*.png), transformers-style CLIP/SigLIP preparation results
(prep_*.png), encoded files in every format (dec_*) with Pillow's decoded
RGB (dec_*.rgb.png), and EXIF-oriented PNGs (exif_*.png) with the
exif_transpose result (exif_*.want.png). The expected values come from
PIL itself; this script only drives it.
"""
import io, json, math, os, subprocess
import numpy as np
from PIL import Image, ImageOps

rng = np.random.default_rng(20261130)


def natural(w, h):
    """Smooth gradients, sharp shapes and noise: exercises every tap."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / 5.0) * np.cos(y / 7.0)
    g = 255 * x / max(w - 1, 1)
    b = 255 * ((x // 4 + y // 4) % 2)
    img = np.stack([r, g, b], -1)
    img += rng.normal(0, 20, img.shape)
    cx, cy = w * 0.6, h * 0.4
    mask = (x - cx) ** 2 + (y - cy) ** 2 < (min(w, h) / 4) ** 2
    img[mask] = [250, 10, 30]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


meta = {"resize": [], "prep": [], "decode": [], "exif": []}

# --- resize parity: PIL's Image.resize on RGB ---------------------------
sources = {"a": (37, 23), "b": (64, 48), "c": (50, 50), "d": (9, 31)}
for name, (w, h) in sources.items():
    natural(w, h).save(f"src_{name}.png")
cases = [
    ("a", 16, 11, 3), ("a", 80, 50, 3), ("a", 37, 10, 3), ("a", 20, 23, 3),
    ("b", 32, 24, 3), ("b", 7, 5, 3), ("b", 100, 30, 3), ("b", 32, 24, 2),
    ("b", 33, 19, 1), ("b", 33, 19, 4), ("b", 33, 19, 5), ("b", 33, 19, 0),
    ("b", 90, 70, 0), ("c", 120, 90, 3), ("c", 13, 13, 3), ("c", 50, 17, 2),
    ("d", 4, 9, 3), ("d", 18, 62, 1), ("d", 1, 1, 3),
]
for src, w, h, f in cases:
    im = Image.open(f"src_{src}.png").convert("RGB")
    out = im.resize((w, h), resample=f)
    fn = f"resize_{src}_{w}x{h}_f{f}.png"
    out.save(fn)
    meta["resize"].append({"src": f"src_{src}.png", "w": w, "h": h, "filter": f, "want": fn})


# --- processor preparation (transformers 4.44 logic on PIL) -------------
def hf_prepare(im, shortest=None, size=None, crop=None, resample=3):
    im = im.convert("RGB")
    W, H = im.size
    if shortest is not None:
        short, long = (W, H) if W <= H else (H, W)
        new_short, new_long = shortest, int(shortest * long / short)
        oh, ow = (new_long, new_short) if W <= H else (new_short, new_long)
    else:
        oh, ow = size
    a = np.array(im.resize((ow, oh), resample=resample))
    if crop is not None:
        ch, cw = crop
        top, left = (oh - ch) // 2, (ow - cw) // 2
        if top >= 0 and left >= 0 and top + ch <= oh and left + cw <= ow:
            a = a[top:top + ch, left:left + cw]
        else:
            nh, nw = max(ch, oh), max(cw, ow)
            z = np.zeros((nh, nw, 3), np.uint8)
            tp, lp = math.ceil((nh - oh) / 2), math.ceil((nw - ow) / 2)
            z[tp:tp + oh, lp:lp + ow] = a
            top += tp; left += lp
            a = z[max(0, top):min(nh, top + ch), max(0, left):min(nw, left + cw)]
    return a


preps = [
    ("clip", "a", dict(shortest=16, crop=(16, 16))),
    ("clip", "b", dict(shortest=20, crop=(18, 18))),
    ("clip", "d", dict(shortest=12, crop=(12, 12))),
    ("clip", "b", dict(shortest=30, crop=(35, 20))),
    ("clip", "c", dict(shortest=64, crop=(64, 64))),
    ("clip", "a", dict(shortest=23, crop=(23, 23))),
    ("siglip", "a", dict(size=(24, 24))),
    ("siglip", "d", dict(size=(16, 40))),
]
for i, (kind, src, kw) in enumerate(preps):
    a = hf_prepare(Image.open(f"src_{src}.png"), **kw)
    fn = f"prep_{i}_{kind}_{src}.png"
    Image.fromarray(a).save(fn)
    e = {"src": f"src_{src}.png", "kind": kind, "want": fn}
    if "shortest" in kw:
        e["shortest_edge"] = kw["shortest"]
    if "size" in kw:
        e["height"], e["width"] = kw["size"]
    if "crop" in kw:
        e["crop_height"], e["crop_width"] = kw["crop"]
    meta["prep"].append(e)


# --- decoding: every format, PIL's convert("RGB") as reference -----------
def add_decode(fn, im_or_bytes, tol, **save):
    if isinstance(im_or_bytes, bytes):
        open(fn, "wb").write(im_or_bytes)
    else:
        im_or_bytes.save(fn, **save)
    got = ImageOps.exif_transpose(Image.open(fn)).convert("RGB")
    got.save(fn + ".rgb.png")
    meta["decode"].append({"file": fn, "want": fn + ".rgb.png", "tol": tol})


base = natural(29, 21)
add_decode("dec_420.jpg", base, 0, quality=90, subsampling=2)
add_decode("dec_422.jpg", base, 0, quality=90, subsampling=1)
add_decode("dec_444.jpg", base, 0, quality=95, subsampling=0)
add_decode("dec_prog.jpg", natural(40, 33), 0, quality=80, progressive=True)
add_decode("dec_gray.jpg", base.convert("L"), 0, quality=90)
add_decode("dec_cmyk.jpg", base.convert("CMYK"), 3, quality=95)  # image/jpeg decodes CMYK: its IDCT differs
# Sampling factors, restart intervals and progressive refinement as
# libjpeg-turbo's cjpeg writes them (Debian libjpeg-turbo-progs).
natural(37, 21).save("cjpeg_src.ppm")
for opts, tag in [("-quality 90 -sample 1x2", "440"), ("-quality 90 -sample 4x1", "411"),
                  ("-quality 90 -sample 4x2", "410"), ("-quality 100 -sample 2x2", "q100"),
                  ("-quality 80 -restart 2b", "rst"), ("-quality 80 -progressive -restart 1", "prog_rst"),
                  ("-quality 20 -progressive -sample 2x1 -optimize", "prog422"),
                  ("-quality 80 -grayscale -progressive", "grayprog")]:
    subprocess.run(f"cjpeg {opts} -outfile dec_cjpeg_{tag}.jpg cjpeg_src.ppm", shell=True, check=True)
    add_decode(f"dec_cjpeg_{tag}.jpg", open(f"dec_cjpeg_{tag}.jpg", "rb").read(), 0)
subprocess.run("cjpeg -arithmetic -outfile unsupported_arith.jpg cjpeg_src.ppm", shell=True, check=True)
os.remove("cjpeg_src.ppm")
add_decode("dec_tiny.jpg", natural(3, 3), 0, quality=90)
rgba = base.convert("RGBA")
alpha = np.array(rgba); alpha[..., 3] = (np.arange(29)[None, :] * 9) % 256
rgba = Image.fromarray(alpha, "RGBA")
add_decode("dec_rgba.png", rgba, 0)
add_decode("dec_la.png", base.convert("LA"), 0)
add_decode("dec_p.png", base.convert("P", palette=Image.ADAPTIVE, colors=16), 0)
pt = base.convert("P", palette=Image.ADAPTIVE, colors=8)
add_decode("dec_ptrns.png", pt, 0, transparency=3)
add_decode("dec_trns.gif", pt, 0, transparency=2)
add_decode("dec.bmp", base, 0)
add_decode("dec.tif", base, 0)
base.convert("CMYK").save("unsupported_cmyk.tif")  # x/image/tiff cannot read CMYK
add_decode("dec_lossless.webp", base, 0, lossless=True)
add_decode("dec_lossy.webp", natural(30, 22), 0, quality=80)
add_decode("dec_lossy_odd.webp", natural(31, 17), 0, quality=70)
add_decode("dec_alpha.webp", rgba, 0, quality=85)
g16 = Image.fromarray((np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000), "I;16")
g16.save("dec_gray16.png")  # PIL clips these to 255; vlmtune keeps the high byte (tested separately)

# --- EXIF orientation -----------------------------------------------------
asym = natural(7, 4)
for o in range(1, 9):
    ex = Image.Exif()
    ex[0x0112] = o
    fn = f"exif_{o}.png"
    asym.save(fn, exif=ex.tobytes())
    ImageOps.exif_transpose(Image.open(fn)).convert("RGB").save(f"exif_{o}.want.png")
    meta["exif"].append({"file": fn, "orientation": o, "want": f"exif_{o}.want.png"})
ex = Image.Exif(); ex[0x0112] = 6
natural(20, 12).save("exif_6.jpg", quality=95, exif=ex.tobytes())
ImageOps.exif_transpose(Image.open("exif_6.jpg")).convert("RGB").save("exif_6.jpg.want.png")
meta["exif"].append({"file": "exif_6.jpg", "orientation": 6, "want": "exif_6.jpg.want.png", "tol": 2})
ex = Image.Exif(); ex[0x0112] = 8
natural(20, 12).save("exif_8.webp", lossless=True, exif=ex.tobytes())
ImageOps.exif_transpose(Image.open("exif_8.webp")).convert("RGB").save("exif_8.webp.want.png")
meta["exif"].append({"file": "exif_8.webp", "orientation": 8, "want": "exif_8.webp.want.png"})

meta["pillow"] = Image.__version__
json.dump(meta, open("pil_reference.json", "w"), indent=1)
print("ok", Image.__version__)
