#!/usr/bin/env python3
"""Generates vec_avx2_amd64.s, the AVX2 fused kernels of package kernels.

    python3 internal/kernels/asm_vec_gen.py

writes vec_avx2_amd64.s and its Go declarations, vec_decl_amd64.go.

Every routine streams n float32 elements, 8 per iteration, and handles the
last n mod 8 with a masked load (VMASKMOVPS) and 16/8/4-byte stores, so
no element is read or written outside [0, n) and tails use the same
arithmetic as the body. The generated file is committed; Go does not run this script.
"""
import os
import textwrap
import re
import struct

CONSTS = [
    ("ONE", 1.0), ("HALF", 0.5), ("TWO", 2.0), ("FOUR", 4.0),
    ("MAXLOG", 88.3), ("MINLOG", -86.0), ("LOG2E", 1.44269504088896341),
    ("LN2HI", 0.693359375), ("LN2LO", -2.12194440e-4),
    # Cephes expf polynomial.
    ("P0", 1.9875691500e-4), ("P1", 1.3981999507e-3), ("P2", 8.3334519073e-3),
    ("P3", 4.1665795894e-2), ("P4", 1.6666665459e-1), ("P5", 5.0000001201e-1),
    ("QGELU", 1.702), ("GTC2", 2 * 0.7978845608028654), ("GTA", 0.044715),
    ("GTA3", 3 * 0.044715), ("INVSQRT2", 0.7071067811865476),
    ("INVSQRT2PI", 0.3989422804014327),
    # Abramowitz & Stegun 7.1.26: erfc(a) ≈ t·(A1+t·(A2+…)) e^(−a²), t = 1/(1+P·a).
    ("ERFP", 0.3275911), ("A1", 0.254829592), ("A2", -0.284496736),
    ("A3", 1.421413741), ("A4", -1.453152027), ("A5", 1.061405429),
    ("NEGINF", float("-inf")),
    # Abramowitz & Stegun 7.1.28: erf(a) ≈ 1 − (1 + B1·a + … + B6·a⁶)^−16.
    ("B1", 0.0705230784), ("B2", 0.0422820123), ("B3", 0.0092705272),
    ("B4", 0.0001520143), ("B5", 0.0002765672), ("B6", 0.0000430638),
    ("ERFCLAMP", 20.0),
]
INTS = [("SIGN", 0x80000000), ("ABS", 0x7FFFFFFF)]

# Bytes ahead of each input pointer that the main loops prefetch.
PREFETCH = 1024

out = []
emit = out.append
SIGS = []


def consts():
    off = 0
    for name, v in CONSTS:
        bits = struct.unpack("<I", struct.pack("<f", v))[0]
        emit(f"#define {name} {off}")
        for i in range(8):
            emit(f"DATA ·vc+{off + 4 * i}(SB)/4, $0x{bits:08x}")
        off += 32
    for name, bits in INTS:
        emit(f"#define {name} {off}")
        for i in range(8):
            emit(f"DATA ·vc+{off + 4 * i}(SB)/4, $0x{bits:08x}")
        off += 32
    emit(f"GLOBL ·vc(SB), RODATA|NOPTR, ${off}")
    emit("")
    # tailmask: 8 words of -1 then 8 of 0; the mask for t lanes starts at
    # byte 32 − 4t.
    for i in range(16):
        emit(f"DATA ·vtail+{4 * i}(SB)/4, $0x{0xFFFFFFFF if i < 8 else 0:08x}")
    emit("GLOBL ·vtail(SB), RODATA|NOPTR, $64")
    emit("")


def C(name):
    return f"·vc+{name}(SB)"


def exp(x, t1, t2, t3, t4):
    """x = exp(x); inputs below MINLOG give exactly 0."""
    return [
        f"VCMPPS $5, {C('MINLOG')}, {x}, {t3}",
        f"VMINPS {C('MAXLOG')}, {x}, {x}",
        f"VMAXPS {C('MINLOG')}, {x}, {x}",
        f"VMULPS {C('LOG2E')}, {x}, {t1}",
        f"VROUNDPS $0, {t1}, {t1}",
        f"VFNMADD231PS {C('LN2HI')}, {t1}, {x}",
        f"VFNMADD231PS {C('LN2LO')}, {t1}, {x}",
        f"VMOVUPS {C('P0')}, {t2}",
        f"VFMADD213PS {C('P1')}, {x}, {t2}",
        f"VFMADD213PS {C('P2')}, {x}, {t2}",
        f"VFMADD213PS {C('P3')}, {x}, {t2}",
        f"VFMADD213PS {C('P4')}, {x}, {t2}",
        f"VFMADD213PS {C('P5')}, {x}, {t2}",
        f"VMULPS {x}, {x}, {t4}",
        f"VFMADD213PS {x}, {t4}, {t2}",
        f"VADDPS {C('ONE')}, {t2}, {t2}",
        f"VCVTPS2DQ {t1}, {t1}",
        f"VPSLLD $23, {t1}, {t1}",
        f"VPADDD {t1}, {t2}, {x}",
        f"VANDPS {t3}, {x}, {x}",
    ]


def sigmoid(x):
    """x = 1/(1+exp(−x)); uses Y1..Y4."""
    return [f"VXORPS {C('SIGN')}, {x}, {x}"] + exp(x, "Y1", "Y2", "Y3", "Y4") + [
        f"VADDPS {C('ONE')}, {x}, {x}",
        f"VMOVUPS {C('ONE')}, Y1",
        f"VDIVPS {x}, Y1, {x}",
    ]


def one_plus_erf(x):
    """From x in Y0 (kept): Y3 = 1+erf(x/√2), Y8 = exp(−x²/2). Uses Y1..Y4,
    Y6, Y8: few enough registers for two interleaved copies."""
    return [
        f"VMULPS {C('INVSQRT2')}, {x}, Y6",           # z
        f"VANDPS {C('ABS')}, Y6, Y6",                 # a = |z|
        f"VMULPS Y6, Y6, Y8",
        f"VXORPS {C('SIGN')}, Y8, Y8",                # −z²
    ] + exp("Y8", "Y1", "Y2", "Y3", "Y4") + [
        f"VMOVUPS {C('ERFP')}, Y1",
        f"VFMADD213PS {C('ONE')}, Y6, Y1",            # d = 1 + P·a
        # t = 1/d by VRCPPS (12 bits) and one Newton step (about 23 bits),
        # much cheaper than VDIVPS; the approximation itself is good to
        # 1.5e-7 only.
        f"VRCPPS Y1, Y6",
        f"VMOVUPS {C('ONE')}, Y2",
        f"VFNMADD231PS Y6, Y1, Y2",                   # 1 − d·r
        f"VFMADD231PS Y2, Y6, Y6",                    # t = r + r·(1 − d·r)
        f"VMOVUPS {C('A5')}, Y2",
        f"VFMADD213PS {C('A4')}, Y6, Y2",
        f"VFMADD213PS {C('A3')}, Y6, Y2",
        f"VFMADD213PS {C('A2')}, Y6, Y2",
        f"VFMADD213PS {C('A1')}, Y6, Y2",
        f"VMULPS Y6, Y2, Y2",
        f"VMULPS Y8, Y2, Y2",                         # q = erfc(|z|)
        f"VMOVUPS {C('TWO')}, Y3",
        f"VSUBPS Y2, Y3, Y3",                         # 2 − q
        f"VBLENDVPS {x}, Y2, Y3, Y3",                 # x < 0 (sign set): q
    ]


def one_plus_erf_poly(x):
    """From x in Y0 (kept): Y3 = 1+erf(x/√2) by Abramowitz & Stegun 7.1.28,
    erfc(a) ≈ (1/d)¹⁶ with d = 1 + B1·a + … + B6·a⁶ (absolute error ≤ 3e-7):
    no exponential, about half the instructions of one_plus_erf, for the
    forward pass, which needs no exp(−x²/2). a is clamped to 20, where
    (1/d)¹⁶ has long underflowed to 0, so d stays finite. Uses Y1..Y3, Y6."""
    return [
        f"VMULPS {C('INVSQRT2')}, {x}, Y6",
        f"VANDPS {C('ABS')}, Y6, Y6",
        f"VMINPS {C('ERFCLAMP')}, Y6, Y6",            # a = min(|x|/√2, 20)
        f"VMOVUPS {C('B6')}, Y1",
        f"VFMADD213PS {C('B5')}, Y6, Y1",
        f"VFMADD213PS {C('B4')}, Y6, Y1",
        f"VFMADD213PS {C('B3')}, Y6, Y1",
        f"VFMADD213PS {C('B2')}, Y6, Y1",
        f"VFMADD213PS {C('B1')}, Y6, Y1",
        f"VFMADD213PS {C('ONE')}, Y6, Y1",            # d
        # 1/d by VRCPPS and one Newton step, as in one_plus_erf.
        "VRCPPS Y1, Y6",
        f"VMOVUPS {C('ONE')}, Y2",
        "VFNMADD231PS Y6, Y1, Y2",
        "VFMADD231PS Y2, Y6, Y6",
        "VMULPS Y6, Y6, Y6",
        "VMULPS Y6, Y6, Y6",
        "VMULPS Y6, Y6, Y6",
        "VMULPS Y6, Y6, Y6",                          # q = (1/d)¹⁶ = erfc(a)
        f"VMOVUPS {C('TWO')}, Y3",
        "VSUBPS Y6, Y3, Y3",                          # 2 − q
        f"VBLENDVPS {x}, Y6, Y3, Y3",                 # x < 0: q
    ]


ACT_FWD = {
    0: [],
    1: one_plus_erf_poly("Y0") + ["VMULPS Y3, Y0, Y0", f"VMULPS {C('HALF')}, Y0, Y0"],
    2: ["VMOVAPS Y0, Y10", "VMULPS Y0, Y0, Y11", f"VMOVUPS {C('GTA')}, Y12",
        f"VFMADD213PS {C('ONE')}, Y11, Y12", "VMULPS Y12, Y0, Y0", f"VMULPS {C('GTC2')}, Y0, Y0"]
    + sigmoid("Y0") + ["VMULPS Y10, Y0, Y0"],
    3: ["VMOVAPS Y0, Y10", f"VMULPS {C('QGELU')}, Y0, Y0"] + sigmoid("Y0") + ["VMULPS Y10, Y0, Y0"],
    4: ["VMOVAPS Y0, Y10"] + sigmoid("Y0") + ["VMULPS Y10, Y0, Y0"],
    5: ["VXORPS Y1, Y1, Y1", "VMAXPS Y0, Y1, Y0"],
    6: sigmoid("Y0"),
    7: [f"VADDPS Y0, Y0, Y0"] + sigmoid("Y0") + [f"VADDPS Y0, Y0, Y0", f"VSUBPS {C('ONE')}, Y0, Y0"],
}

# Backward: Y0 = x, Y13 = dy on entry; Y0 = dx on exit.
def s1ms(s, out):
    """out = s·(1−s)."""
    return [f"VMOVUPS {C('ONE')}, {out}", f"VSUBPS {s}, {out}, {out}", f"VMULPS {s}, {out}, {out}"]


ACT_BWD = {
    0: ["VMOVAPS Y13, Y0"],
    1: one_plus_erf("Y0") + [
        f"VMULPS {C('HALF')}, Y3, Y3",
        f"VMULPS {C('INVSQRT2PI')}, Y8, Y8",
        "VFMADD231PS Y8, Y0, Y3",                     # 0.5(1+erf) + x·φ(x)
        "VMULPS Y13, Y3, Y0"],
    2: ["VMOVAPS Y0, Y10", "VMULPS Y0, Y0, Y11", f"VMOVUPS {C('GTA')}, Y12",
        f"VFMADD213PS {C('ONE')}, Y11, Y12", "VMULPS Y12, Y0, Y0", f"VMULPS {C('GTC2')}, Y0, Y0"]
    + sigmoid("Y0") + s1ms("Y0", "Y5") + [
        f"VMOVUPS {C('GTA3')}, Y12", f"VFMADD213PS {C('ONE')}, Y11, Y12",   # 1+3a·x²
        f"VMULPS {C('GTC2')}, Y12, Y12", "VMULPS Y10, Y12, Y12", "VMULPS Y5, Y12, Y12",
        "VADDPS Y12, Y0, Y0", "VMULPS Y13, Y0, Y0"],
    3: ["VMOVAPS Y0, Y10", f"VMULPS {C('QGELU')}, Y0, Y0"] + sigmoid("Y0") + s1ms("Y0", "Y5") + [
        f"VMULPS {C('QGELU')}, Y10, Y10", "VMULPS Y10, Y5, Y5", "VADDPS Y5, Y0, Y0", "VMULPS Y13, Y0, Y0"],
    4: ["VMOVAPS Y0, Y10"] + sigmoid("Y0") + s1ms("Y0", "Y5") + [
        "VMULPS Y10, Y5, Y5", "VADDPS Y5, Y0, Y0", "VMULPS Y13, Y0, Y0"],
    5: ["VXORPS Y1, Y1, Y1", "VCMPPS $0x1e, Y1, Y0, Y2", "VANDPS Y13, Y2, Y0"],
    6: sigmoid("Y0") + s1ms("Y0", "Y5") + ["VMULPS Y13, Y5, Y0"],
    7: ["VADDPS Y0, Y0, Y0"] + sigmoid("Y0") + s1ms("Y0", "Y5") + [
        f"VMULPS {C('FOUR')}, Y5, Y5", "VMULPS Y13, Y5, Y0"],
}

def stream(sig, frame, prologue, ins, outs, body, epilogue, acc=(), tailfix=(), nreg="n+16(FP)", unroll=False):
    """A routine over n elements, 8 per iteration, masked tail.

    ins: (pointer register, ymm) pairs loaded each step; outs: (ymm,
    pointer register) pairs stored each step; body: the arithmetic; acc:
    accumulations run after body (and, in the masked tail, after tailfix,
    which clears the lanes past n; Y15 holds the lane mask there).
    """
    name = sig.split("(")[0]
    SIGS.append(sig)
    emit(f"// func {sig}")
    emit(f"TEXT ·{name}(SB), NOSPLIT, {frame}")
    for l in prologue:
        emit("\t" + l)
    emit(f"\tMOVQ {nreg}, CX")
    loop(name, regs(prologue), ins, outs, body, acc, tailfix, unroll)
    for l in epilogue:
        emit("\t" + l)
    emit("\tVZEROUPPER")
    emit("\tRET")
    emit("")


def loop(name, shared, ins, outs, body, acc=(), tailfix=(), unroll=False, prefetch=None):
    """The element loop over CX elements (clobbers AX, BX, CX, Y15 and
    advances the pointer registers), ending at label name_done.

    Long bodies (the exp-, erf- and division-based ones) prefetch their
    inputs PREFETCH bytes ahead: their arithmetic outlasts what the
    hardware prefetcher keeps in flight, and the measured big-array
    activation kernels ran 5–20% faster with it; short streaming bodies
    ran as fast or slower, so they leave it to the hardware. prefetch, when
    given, replaces those lines."""
    if prefetch is None:
        prefetch = [f"PREFETCHT0 {PREFETCH}({p})" for p in sorted(set(p for p, _ in ins))] if len(body) >= 8 else []
    if unroll:
        # Two independent copies of the body, interleaved, on 16 elements
        # per iteration: the exp-based bodies are long dependency chains,
        # and a second chain lets the CPU overlap them. Registers in shared
        # (scalars, accumulators) are common to both copies.
        own = sorted(regs(list(body) + list(acc) + [y for _, y in ins] + [y for y, _ in outs]) - shared)
        free = [r for r in range(16) if r not in shared and r not in own]
        assert len(free) >= len(own), (name, own, free)
        m = dict(zip(own, free))
        emit("\tMOVQ CX, BX")
        emit("\tSHRQ $4, BX")
        emit(f"\tJZ   {name}_one")
        emit(f"{name}_loop2:")
        for l in prefetch:
            emit("\t" + l)
        for p, y in ins:
            emit(f"\tVMOVUPS ({p}), {y}")
            emit(f"\tVMOVUPS 32({p}), {rename(y, m)}")
        for a, b in zip(list(body) + list(acc), rename(list(body) + list(acc), m)):
            emit("\t" + a)
            emit("\t" + b)
        for y, p in outs:
            emit(f"\tVMOVUPS {y}, ({p})")
            emit(f"\tVMOVUPS {rename(y, m)}, 32({p})")
        for p in sorted(set([p for p, _ in ins] + [p for _, p in outs])):
            emit(f"\tADDQ $64, {p}")
        emit("\tDECQ BX")
        emit(f"\tJNZ  {name}_loop2")
        emit(f"{name}_one:")
        emit("\tMOVQ CX, BX")
        emit("\tANDQ $8, BX")
        emit("\tSHRQ $3, BX")
    else:
        emit("\tMOVQ CX, BX")
        emit("\tSHRQ $3, BX")
    emit(f"\tJZ   {name}_tail")
    emit(f"{name}_loop:")
    if not unroll:
        for l in prefetch:
            emit("\t" + l)
    for p, y in ins:
        emit(f"\tVMOVUPS ({p}), {y}")
    for l in list(body) + list(acc):
        emit("\t" + l)
    for y, p in outs:
        emit(f"\tVMOVUPS {y}, ({p})")
    for p in sorted(set([p for p, _ in ins] + [p for _, p in outs])):
        emit(f"\tADDQ $32, {p}")
    emit("\tDECQ BX")
    emit(f"\tJNZ  {name}_loop")
    emit(f"{name}_tail:")
    emit("\tANDQ $7, CX")
    emit(f"\tJZ   {name}_done")
    emit("\tLEAQ ·vtail+32(SB), AX")
    emit("\tSHLQ $2, CX")
    emit("\tSUBQ CX, AX")
    emit("\tVMOVDQU (AX), Y15")
    for p, y in ins:
        emit(f"\tVMASKMOVPS ({p}), Y15, {y}")
    for l in list(body) + list(tailfix) + list(acc):
        emit("\t" + l)
    for i, (y, p) in enumerate(outs):
        for l in store_tail(y, p, f"{name}_t{i}"):
            emit("\t" + l if not l.endswith(":") else l)
    emit(f"{name}_done:")


def store_tail(y, p, lbl):
    """Stores the low CX/4 lanes (CX: 4 to 28 bytes) of y at p, by a
    16-, an 8- and a 4-byte store as needed: AMD's Zen cores run a masked
    store (VMASKMOVPS to memory) as a long microcoded sequence, which
    dominated softmax on rows of 50 or 77. Clobbers AX, BX and y."""
    x = "X" + y[1:]
    return [
        "MOVQ CX, BX",
        f"MOVQ {p}, AX",
        "CMPQ BX, $16",
        f"JB   {lbl}_8",
        f"VMOVUPS {x}, (AX)",
        f"VEXTRACTF128 $1, {y}, {x}",
        "ADDQ $16, AX",
        "SUBQ $16, BX",
        f"{lbl}_8:",
        "CMPQ BX, $8",
        f"JB   {lbl}_4",
        f"VMOVQ {x}, (AX)",
        f"VPSRLDQ $8, {x}, {x}",
        "ADDQ $8, AX",
        "SUBQ $8, BX",
        f"{lbl}_4:",
        "TESTQ BX, BX",
        f"JZ   {lbl}_end",
        f"VMOVSS {x}, (AX)",
        f"{lbl}_end:",
    ]


def softmax_rows():
    """vsoftmaxRowsAVX2: softmax of rows×cols (cols ≥ 1) in one call: per
    row a max pass, an exp(x − max) pass that stores and sums, and a pass
    that scales by 1/sum (all −Inf rows: zeros), as softmaxRowsGeneric."""
    sig = "vsoftmaxRowsAVX2(dst, src *float32, rows, cols int)"
    name = "vsoftmaxRowsAVX2"
    SIGS.append(sig)
    emit(f"// func {sig}")
    emit(f"TEXT ·{name}(SB), NOSPLIT, $0-32")
    emit("\tMOVQ dst+0(FP), R12")
    emit("\tMOVQ src+8(FP), R13")
    emit("\tMOVQ rows+16(FP), R14")
    emit("\tMOVQ cols+24(FP), R11")
    emit("\tTESTQ R14, R14")
    emit(f"\tJZ   {name}_end")
    emit(f"{name}_row:")
    # Pass 1: max into X7.
    emit("\tMOVQ R13, SI")
    emit("\tMOVQ R11, CX")
    emit(f"\tVMOVUPS {C('NEGINF')}, Y7")
    emit(f"\tVMOVUPS {C('NEGINF')}, Y8")
    loop(name + "_max", {7, 8}, [("SI", "Y0")], [], [], acc=["VMAXPS Y0, Y7, Y7"],
         tailfix=["VBLENDVPS Y15, Y0, Y8, Y0"])
    for l in hmax("Y7", "X7", "X1"):
        emit("\t" + l)
    emit(f"\tVUCOMISS {C('NEGINF')}, X7")
    emit(f"\tJEQ  {name}_zero")
    # Pass 2: y = exp(x − max), sum into X7.
    emit("\tVBROADCASTSS X7, Y6")
    emit("\tVXORPS Y7, Y7, Y7")
    emit("\tMOVQ R13, SI")
    emit("\tMOVQ R12, DI")
    emit("\tMOVQ R11, CX")
    loop(name + "_exp", {6, 7}, [("SI", "Y0")], [("Y0", "DI")],
         ["VSUBPS Y6, Y0, Y0"] + exp("Y0", "Y1", "Y2", "Y3", "Y4"),
         acc=["VADDPS Y0, Y7, Y7"], tailfix=["VANDPS Y15, Y0, Y0"], unroll=True)
    for l in hsum("Y7", "X7", "X1"):
        emit("\t" + l)
    # Pass 3: y *= 1/sum.
    emit(f"\tVMOVSS {C('ONE')}, X6")
    emit("\tVDIVSS X7, X6, X6")
    emit("\tVBROADCASTSS X6, Y6")
    emit("\tMOVQ R12, SI")
    emit("\tMOVQ R12, DI")
    emit("\tMOVQ R11, CX")
    loop(name + "_scale", {6}, [("SI", "Y0")], [("Y0", "DI")], ["VMULPS Y6, Y0, Y0"])
    emit(f"\tJMP  {name}_next")
    emit(f"{name}_zero:")
    emit("\tVXORPS Y0, Y0, Y0")
    emit("\tMOVQ R12, DI")
    emit("\tMOVQ R11, CX")
    loop(name + "_clear", {0}, [], [("Y0", "DI")], [])
    emit(f"{name}_next:")
    emit("\tLEAQ (R13)(R11*4), R13")
    emit("\tLEAQ (R12)(R11*4), R12")
    emit("\tDECQ R14")
    emit(f"\tJNZ  {name}_row")
    emit(f"{name}_end:")
    emit("\tVZEROUPPER")
    emit("\tRET")
    emit("")


def softmax_rows2():
    """vsoftmaxRows2AVX2: softmax_rows on two rows at a time, the passes of
    the two interleaved (one exp chain per row, 16 registers in all), so
    that the per-row chain of dependent passes (max, exp and sum, 1/sum,
    scale) of one row overlaps the other's: on rows of 50 a row costs a
    few hundred cycles of mostly latency. It does `pairs` pairs and returns
    the number of rows done, stopping before a pair in which a row is all
    −Inf (the caller finishes with vsoftmaxRowsAVX2)."""
    sig = "vsoftmaxRows2AVX2(dst, src *float32, pairs, cols int) int"
    name = "vsoftmaxRows2AVX2"
    SIGS.append(sig)
    emit(f"// func {sig}")
    emit(f"TEXT ·{name}(SB), NOSPLIT, $0-40")
    emit("\tMOVQ dst+0(FP), R12")
    emit("\tMOVQ src+8(FP), R13")
    emit("\tMOVQ pairs+16(FP), R14")
    emit("\tMOVQ cols+24(FP), R11")
    emit("\tLEAQ (R11*4), R10")
    emit("\tXORQ R9, R9")
    emit("\tTESTQ R14, R14")
    emit(f"\tJZ   {name}_end")
    emit(f"{name}_pair:")
    # Pass 1: maxima into X7 (row A) and X9 (row B); Y8 = −Inf pads tails.
    emit("\tMOVQ R13, SI")
    emit("\tLEAQ (R13)(R10*1), R8")
    emit("\tMOVQ R11, CX")
    for r in ("Y7", "Y8", "Y9"):
        emit(f"\tVMOVUPS {C('NEGINF')}, {r}")
    loop(name + "_max", {7, 8, 9}, [("SI", "Y0"), ("R8", "Y1")], [], [],
         acc=["VMAXPS Y0, Y7, Y7", "VMAXPS Y1, Y9, Y9"],
         tailfix=["VBLENDVPS Y15, Y0, Y8, Y0", "VBLENDVPS Y15, Y1, Y8, Y1"])
    for l in hmax("Y7", "X7", "X1") + hmax("Y9", "X9", "X1"):
        emit("\t" + l)
    emit(f"\tVUCOMISS {C('NEGINF')}, X7")
    emit(f"\tJEQ  {name}_end")
    emit(f"\tVUCOMISS {C('NEGINF')}, X9")
    emit(f"\tJEQ  {name}_end")
    # Pass 2: y = exp(x − max), sums into X7 and X14. Row A: Y0–Y4, shift
    # Y6; row B: Y8–Y12, shift Y13.
    emit("\tVBROADCASTSS X7, Y6")
    emit("\tVBROADCASTSS X9, Y13")
    emit("\tVXORPS Y7, Y7, Y7")
    emit("\tVXORPS Y14, Y14, Y14")
    emit("\tMOVQ R13, SI")
    emit("\tLEAQ (R13)(R10*1), R8")
    emit("\tMOVQ R12, DI")
    emit("\tLEAQ (R12)(R10*1), DX")
    emit("\tMOVQ R11, CX")
    body_a = ["VSUBPS Y6, Y0, Y0"] + exp("Y0", "Y1", "Y2", "Y3", "Y4")
    body_b = rename(body_a, {0: 8, 1: 9, 2: 10, 3: 11, 4: 12, 6: 13})
    body = [l for pair in zip(body_a, body_b) for l in pair]
    # The exp pass reads the rows from cache (pass 1 brought them in) and
    # fetches the next pair's rows meanwhile, so that long rows coming from
    # memory overlap with this pair's arithmetic. On the last pair it
    # touches up to two rows past the end: prefetches do not fault.
    loop(name + "_exp", {6, 7, 13, 14}, [("SI", "Y0"), ("R8", "Y8")], [("Y0", "DI"), ("Y8", "DX")], body,
         acc=["VADDPS Y0, Y7, Y7", "VADDPS Y8, Y14, Y14"],
         tailfix=["VANDPS Y15, Y0, Y0", "VANDPS Y15, Y8, Y8"],
         prefetch=["PREFETCHT0 (SI)(R10*2)", "PREFETCHT0 (R8)(R10*2)"])
    for l in hsum("Y7", "X7", "X1") + hsum("Y14", "X14", "X1"):
        emit("\t" + l)
    # Pass 3: y *= 1/sum.
    emit(f"\tVMOVSS {C('ONE')}, X6")
    emit("\tVDIVSS X7, X6, X6")
    emit("\tVBROADCASTSS X6, Y6")
    emit(f"\tVMOVSS {C('ONE')}, X13")
    emit("\tVDIVSS X14, X13, X13")
    emit("\tVBROADCASTSS X13, Y13")
    emit("\tMOVQ R12, SI")
    emit("\tLEAQ (R12)(R10*1), R8")
    emit("\tMOVQ R12, DI")
    emit("\tLEAQ (R12)(R10*1), DX")
    emit("\tMOVQ R11, CX")
    loop(name + "_scale", {6, 13}, [("SI", "Y0"), ("R8", "Y1")], [("Y0", "DI"), ("Y1", "DX")],
         ["VMULPS Y6, Y0, Y0", "VMULPS Y13, Y1, Y1"])
    emit("\tLEAQ (R13)(R10*2), R13")
    emit("\tLEAQ (R12)(R10*2), R12")
    emit("\tADDQ $2, R9")
    emit("\tDECQ R14")
    emit(f"\tJNZ  {name}_pair")
    emit(f"{name}_end:")
    emit("\tMOVQ R9, ret+32(FP)")
    emit("\tVZEROUPPER")
    emit("\tRET")
    emit("")


def regs(lines):
    """The vector register numbers that lines mention (X and Y alike)."""
    out = set()
    for l in lines:
        out |= {int(n) for n in re.findall(r"\b[XY](\d+)\b", l)}
    return out


def rename(x, m):
    """x (a line or list of lines) with vector registers renamed by m."""
    if isinstance(x, list):
        return [rename(l, m) for l in x]
    return re.sub(r"\b([XY])(\d+)\b", lambda mo: mo.group(1) + str(m.get(int(mo.group(2)), int(mo.group(2)))), x)


def hsum(y, x, t):
    return [f"VEXTRACTF128 $1, {y}, {t}", f"VADDPS {t}, {x}, {x}",
            f"VPERMILPS $0x4e, {x}, {t}", f"VADDPS {t}, {x}, {x}",
            f"VPERMILPS $0xb1, {x}, {t}", f"VADDPS {t}, {x}, {x}"]


def hmax(y, x, t):
    return [f"VEXTRACTF128 $1, {y}, {t}", f"VMAXPS {t}, {x}, {x}",
            f"VPERMILPS $0x4e, {x}, {t}", f"VMAXPS {t}, {x}, {x}",
            f"VPERMILPS $0xb1, {x}, {t}", f"VMAXPS {t}, {x}, {x}"]


def hsumpd(y, x, t):
    return [f"VEXTRACTF128 $1, {y}, {t}", f"VADDPD {t}, {x}, {x}",
            f"VPERMILPD $1, {x}, {t}", f"VADDSD {t}, {x}, {x}"]


# DOCS holds each kernel's reference loop, written above its Go
# declaration in vec_decl_amd64.go. The pointers stand for slices of n
# elements; exp is float32(math.Exp(float64(x))), which the assembly
# approximates to within the tolerance vec_asm_test.go states; the plain-Go
# versions the kernels are tested against are named.
ACT_F = {
    "Identity": "x", "GELU": "x·(1 + erf(x/√2))/2", "GELUTanh": "x·(1 + tanh(√(2/π)·(x + 0.044715x³)))/2",
    "QuickGELU": "x·σ(1.702x)", "SiLU": "x·σ(x)", "ReLU": "max(x, 0)", "Sigmoid": "σ(x) = 1/(1 + e^−x)",
    "Tanh": "tanh(x)",
}
DOCS = {}


def doc(name, summary, loop, ref):
    text = textwrap.wrap(f"{name} {summary} It is, in plain Go ({ref}):", 72)
    DOCS[name] = text + [""] + ["\t" + l for l in loop]


def make_docs():
    doc("vexpSumAVX2", "stores exp(src − shift) and returns its sum.",
        ["var s float32", "for i := 0; i < n; i++ {", "\tdst[i] = exp(src[i] - shift)", "\ts += dst[i]", "}", "return s"],
        "the exp pass of softmaxRowsGeneric")
    doc("vexpSumNoStoreAVX2", "returns the sum of exp(src − shift), storing nothing (dst is unused).",
        ["var s float32", "for i := 0; i < n; i++ {", "\ts += exp(src[i] - shift)", "}", "return s"],
        "the log-sum-exp of logSoftmaxRowsGeneric")
    doc("vsoftmaxRowsAVX2", "computes the softmax of each of rows rows of cols floats.",
        ["for r := 0; r < rows; r++ {", "\tx, y := src[r*cols:(r+1)*cols], dst[r*cols:(r+1)*cols]",
         "\tm := max(x) // −Inf for an all −Inf row, whose y is all 0", "\tvar s float32",
         "\tfor i := range x {", "\t\ty[i] = exp(x[i] - m)", "\t\ts += y[i]", "\t}",
         "\tfor i := range y {", "\t\ty[i] *= 1 / s", "\t}", "}"], "softmaxRowsGeneric")
    doc("vsoftmaxRows2AVX2", "is vsoftmaxRowsAVX2 on pairs pairs of rows, two rows interleaved; it stops before a pair holding an all −Inf row and returns the number of rows done.",
        ["done := 0", "for p := 0; p < pairs; p++ {", "\tif a row of pair p is all −Inf {", "\t\tbreak", "\t}",
         "\tvsoftmaxRowsAVX2(dst[2*p*cols:], src[2*p*cols:], 2, cols)", "\tdone += 2", "}", "return done"],
        "softmaxRowsGeneric")
    doc("vmaxAVX2", "returns the largest element (−Inf for n = 0).",
        ["m := float32(math.Inf(-1))", "for i := 0; i < n; i++ {", "\tm = max(m, x[i])", "}", "return m"], "the max pass of logSoftmaxRowsGeneric")
    doc("vsumAVX2", "returns the sum.", ["var s float32", "for i := 0; i < n; i++ {", "\ts += x[i]", "}", "return s"],
        "the sum of logSoftmaxRowsBackwardGeneric")
    doc("vdotAVX2", "returns the dot product.", ["var s float32", "for i := 0; i < n; i++ {", "\ts += x[i] * y[i]", "}", "return s"],
        "the sum of softmaxRowsBackwardGeneric")
    doc("vsumSqDevAVX2", "returns the sum of squared deviations from mu.",
        ["var s float32", "for i := 0; i < n; i++ {", "\ts += (x[i] - mu) * (x[i] - mu)", "}", "return s"], "the variance of layerNormGeneric")
    doc("vscaleAVX2", "scales x into dst.", ["for i := 0; i < n; i++ {", "\tdst[i] = a * x[i]", "}"], "scaleGeneric")
    doc("vaxpyAVX2", "adds a·x to y.", ["for i := 0; i < n; i++ {", "\ty[i] += a * x[i]", "}"], "axpyGeneric")
    doc("vsoftmaxBwdAVX2", "is the softmax backward pass given s = Σ dy·y.",
        ["for i := 0; i < n; i++ {", "\tdx[i] = y[i] * (dy[i] - s)", "}"], "softmaxRowsBackwardGeneric")
    doc("vlogSoftmaxBwdAVX2", "is the log-softmax backward pass given s = Σ dy.",
        ["for i := 0; i < n; i++ {", "\tdx[i] = dy[i] - exp(y[i])*s", "}"], "logSoftmaxRowsBackwardGeneric")
    doc("vaddScalarAVX2", "adds s to every element.", ["for i := 0; i < n; i++ {", "\tdst[i] = x[i] + s", "}"], "logSoftmaxRowsGeneric's last pass")
    for op, sym in (("Add", "+"), ("Sub", "-"), ("Mul", "*"), ("Div", "/")):
        doc(f"vbin{op}AVX2", f"is dst = a {sym} b element-wise.", ["for i := 0; i < n; i++ {", f"\tdst[i] = a[i] {sym} b[i]", "}"], "binaryGeneric")
        doc(f"vbin{op}ScalarAVX2", f"is dst = a {sym} s.", ["for i := 0; i < n; i++ {", f"\tdst[i] = a[i] {sym} s", "}"], "binaryGeneric with stride 0")
    for g in (False, True):
        for b in (False, True):
            nm = "vnorm" + ("G" if g else "") + ("B" if b else "") + "AVX2"
            expr = "(x[i] - mu) * rs" + (" * gamma[i]" if g else "") + (" + beta[i]" if b else "")
            doc(nm, "normalises one row" + (" with gamma" if g else "") + (" and beta" if b else "") + (" (the others are unused)" if not (g and b) else "") + ".",
                ["for i := 0; i < n; i++ {", f"\tdst[i] = {expr}", "}"], "layerNormGeneric, rmsNormGeneric with mu = 0")
        gx = "dy[i] * gamma[i]" if g else "dy[i]"
        nm = "vnormBwdSums" + ("G" if g else "") + "AVX2"
        doc(nm, "returns the two sums of a norm's input gradient" + (" (gamma unused)" if not g else "") + ".",
            ["for i := 0; i < n; i++ {", f"\tgi := {gx}", "\tsg += gi", "\tsgx += gi * (x[i] - mu) * rs", "}", "return sg, sgx"],
            "layerNormBackwardXGeneric")
        nm = "vnormBwd" + ("G" if g else "") + "AVX2"
        doc(nm, "is a norm's input gradient given sg and sgx, the sums of vnormBwdSums" + ("G" if g else "") + "AVX2 divided by n" + (" (gamma unused)" if not g else "") + ".",
            ["for i := 0; i < n; i++ {", f"\tgi := {gx}", "\tdx[i] = rs * (gi - sg - (x[i]-mu)*rs*sgx)", "}"],
            "layerNormBackwardXGeneric; rmsNormBackwardXGeneric with mu = 0, sg = 0")
    for wg, wb in ((True, True), (True, False), (False, True)):
        nm = "vparamGrad" + ("G" if wg else "") + ("B" if wb else "") + "AVX2"
        body = []
        if wg:
            body.append("\tpg[i] += dy[i] * (x[i] - mu) * rs")
        if wb:
            body.append("\tpb[i] += dy[i]")
        doc(nm, "accumulates one row's contribution to a norm's parameter gradients.", ["for i := 0; i < n; i++ {"] + body + ["}"],
            "normParamGradsRowsGeneric")
    for nm, f in ACT_F.items():
        doc(f"vact{nm}AVX2", f"applies f(x) = {f}.", ["for i := 0; i < n; i++ {", "\tdst[i] = f(x[i])", "}"], "activateSliceGeneric")
        doc(f"vactBwd{nm}AVX2", f"is the backward pass of f(x) = {f}.", ["for i := 0; i < n; i++ {", "\tdx[i] = dy[i] * f'(x[i])", "}"],
            "activateBackwardSliceGeneric")
        for pre in (False, True):
            body = ["for i := 0; i < n; i++ {"] + (["\tpre[i] = x[i] + bias[i]"] if pre else []) + ["\tdst[i] = f(x[i] + bias[i])", "}"]
            doc(f"vbias{nm}{'Pre' if pre else ''}AVX2", f"adds the bias and applies f(x) = {f}" + (", keeping the sum in pre" if pre else " (pre is unused)") + ".",
                body, "biasActivateGeneric")
    doc("vadamwAVX2", "is one AdamW step with c = [decay, b1, 1−b1, b2, 1−b2, sqrtBC2, eps, stepSize], the same operations in the same order, so bit-identical.",
        ["for i := 0; i < n; i++ {", "\tp[i] *= c[0]", "\tm[i] = c[1]*m[i] + c[2]*grad[i]", "\tv[i] = c[3]*v[i] + c[4]*grad[i]*grad[i]",
         "\tdenom := sqrt(v[i])/c[5] + c[6]", "\tp[i] -= c[7] * m[i] / denom", "}"], "adamwGeneric")
    doc("vsum64AVX2", "returns the sum in float64.", ["var s float64", "for i := 0; i < n; i++ {", "\ts += float64(x[i])", "}", "return s"], "sum64Generic")
    doc("vdot64AVX2", "returns the dot product in float64 (each product exact).",
        ["var s float64", "for i := 0; i < n; i++ {", "\ts += float64(x[i]) * float64(y[i])", "}", "return s"], "dot64Generic")



def main():
    make_docs()
    emit("// Code generated by asm_vec_gen.py; DO NOT EDIT.")
    emit("")
    emit("//go:build amd64 && !noasm")
    emit("")
    emit('#include "textflag.h"')
    emit("")
    consts()
    zero7 = ["VXORPS Y7, Y7, Y7"]

    for store in (True, False):
        nm = "vexpSumAVX2" if store else "vexpSumNoStoreAVX2"
        emit(f"// {nm}: y = exp(x − shift){' into dst' if store else ''}; returns Σy.")
        stream(f"{nm}(dst, src *float32, n int, shift float32) float32", "$0-36",
               ["MOVQ dst+0(FP), DI", "MOVQ src+8(FP), SI", "VBROADCASTSS shift+24(FP), Y6"] + zero7,
               [("SI", "Y0")], [("Y0", "DI")] if store else [],
               ["VSUBPS Y6, Y0, Y0"] + exp("Y0", "Y1", "Y2", "Y3", "Y4"),
               hsum("Y7", "X7", "X1") + ["VMOVSS X7, ret+32(FP)"],
               acc=["VADDPS Y0, Y7, Y7"], tailfix=["VANDPS Y15, Y0, Y0"], unroll=True)

    softmax_rows()
    softmax_rows2()

    emit("// vmaxAVX2 returns max(x) (−Inf for n = 0).")
    stream("vmaxAVX2(x *float32, n int) float32", "$0-20",
           ["MOVQ x+0(FP), SI", f"VMOVUPS {C('NEGINF')}, Y7", f"VMOVUPS {C('NEGINF')}, Y8"],
           [("SI", "Y0")], [], [], hmax("Y7", "X7", "X1") + ["VMOVSS X7, ret+16(FP)"],
           acc=["VMAXPS Y0, Y7, Y7"], tailfix=["VBLENDVPS Y15, Y0, Y8, Y0"], nreg="n+8(FP)")

    emit("// vsumAVX2 returns Σx.")
    stream("vsumAVX2(x *float32, n int) float32", "$0-20",
           ["MOVQ x+0(FP), SI"] + zero7, [("SI", "Y0")], [], [],
           hsum("Y7", "X7", "X1") + ["VMOVSS X7, ret+16(FP)"], acc=["VADDPS Y0, Y7, Y7"], nreg="n+8(FP)")

    emit("// vdotAVX2 returns Σx·y.")
    stream("vdotAVX2(x, y *float32, n int) float32", "$0-28",
           ["MOVQ x+0(FP), SI", "MOVQ y+8(FP), DX"] + zero7, [("SI", "Y0"), ("DX", "Y1")], [], [],
           hsum("Y7", "X7", "X2") + ["VMOVSS X7, ret+24(FP)"], acc=["VFMADD231PS Y1, Y0, Y7"])

    emit("// vsumSqDevAVX2 returns Σ(x − mu)².")
    stream("vsumSqDevAVX2(x *float32, n int, mu float32) float32", "$0-28",
           ["MOVQ x+0(FP), SI", "VBROADCASTSS mu+16(FP), Y6"] + zero7, [("SI", "Y0")], [],
           ["VSUBPS Y6, Y0, Y0"], hsum("Y7", "X7", "X1") + ["VMOVSS X7, ret+24(FP)"],
           acc=["VFMADD231PS Y0, Y0, Y7"], tailfix=["VANDPS Y15, Y0, Y0"], nreg="n+8(FP)")

    emit("// vscaleAVX2: dst = a·x.")
    stream("vscaleAVX2(dst, x *float32, n int, a float32)", "$0-28",
           ["MOVQ dst+0(FP), DI", "MOVQ x+8(FP), SI", "VBROADCASTSS a+24(FP), Y6"],
           [("SI", "Y0")], [("Y0", "DI")], ["VMULPS Y6, Y0, Y0"], [])

    emit("// vaxpyAVX2: y += a·x.")
    stream("vaxpyAVX2(y, x *float32, n int, a float32)", "$0-28",
           ["MOVQ y+0(FP), DI", "MOVQ x+8(FP), SI", "VBROADCASTSS a+24(FP), Y6"],
           [("SI", "Y0"), ("DI", "Y1")], [("Y1", "DI")], ["VFMADD231PS Y6, Y0, Y1"], [])

    emit("// vsoftmaxBwdAVX2: dx = y·(dy − s).")
    stream("vsoftmaxBwdAVX2(dx, y, dy *float32, n int, s float32)", "$0-36",
           ["MOVQ dx+0(FP), DI", "MOVQ y+8(FP), SI", "MOVQ dy+16(FP), DX", "VBROADCASTSS s+32(FP), Y6"],
           [("SI", "Y0"), ("DX", "Y1")], [("Y0", "DI")], ["VSUBPS Y6, Y1, Y1", "VMULPS Y1, Y0, Y0"], [],
           nreg="n+24(FP)")

    emit("// vlogSoftmaxBwdAVX2: dx = dy − exp(y)·s.")
    stream("vlogSoftmaxBwdAVX2(dx, y, dy *float32, n int, s float32)", "$0-36",
           ["MOVQ dx+0(FP), DI", "MOVQ y+8(FP), SI", "MOVQ dy+16(FP), DX", "VBROADCASTSS s+32(FP), Y6"],
           [("SI", "Y0"), ("DX", "Y5")], [("Y5", "DI")],
           exp("Y0", "Y1", "Y2", "Y3", "Y4") + ["VFNMADD231PS Y6, Y0, Y5"], [], nreg="n+24(FP)", unroll=True)

    emit("// vaddScalarAVX2: dst = x + s.")
    stream("vaddScalarAVX2(dst, x *float32, n int, s float32)", "$0-28",
           ["MOVQ dst+0(FP), DI", "MOVQ x+8(FP), SI", "VBROADCASTSS s+24(FP), Y6"],
           [("SI", "Y0")], [("Y0", "DI")], ["VADDPS Y6, Y0, Y0"], [])

    # Binary operations, vector-vector and vector-scalar.
    ops = [("Add", "VADDPS"), ("Sub", "VSUBPS"), ("Mul", "VMULPS"), ("Div", "VDIVPS")]
    for op, ins in ops:
        emit(f"// vbin{op}AVX2: dst = a {op.lower()} b.")
        stream(f"vbin{op}AVX2(dst, a, b *float32, n int)", "$0-32",
               ["MOVQ dst+0(FP), DI", "MOVQ a+8(FP), SI", "MOVQ b+16(FP), DX"],
               [("SI", "Y0"), ("DX", "Y1")], [("Y0", "DI")], [f"{ins} Y1, Y0, Y0"], [], nreg="n+24(FP)")
        emit(f"// vbin{op}ScalarAVX2: dst = a {op.lower()} s.")
        stream(f"vbin{op}ScalarAVX2(dst, a *float32, n int, s float32)", "$0-28",
               ["MOVQ dst+0(FP), DI", "MOVQ a+8(FP), SI", "VBROADCASTSS s+24(FP), Y6"],
               [("SI", "Y0")], [("Y0", "DI")], [f"{ins} Y6, Y0, Y0"], [])

    # Normalisation: h = (x − mu)·rs, then ·gamma, +beta.
    for g in (False, True):
        for b in (False, True):
            nm = "vnorm" + ("G" if g else "") + ("B" if b else "") + "AVX2"
            insl = [("SI", "Y0")] + ([("DX", "Y1")] if g else []) + ([("R8", "Y2")] if b else [])
            body = ["VSUBPS Y6, Y0, Y0", "VMULPS Y5, Y0, Y0"]
            if g:
                body.append("VMULPS Y1, Y0, Y0")
            if b:
                body.append("VADDPS Y2, Y0, Y0")
            emit(f"// {nm}: dst = (x − mu)·rs{'·gamma' if g else ''}{' + beta' if b else ''}.")
            stream(f"{nm}(dst, x, gamma, beta *float32, n int, mu, rs float32)", "$0-48",
                   ["MOVQ dst+0(FP), DI", "MOVQ x+8(FP), SI", "MOVQ gamma+16(FP), DX", "MOVQ beta+24(FP), R8",
                    "VBROADCASTSS mu+40(FP), Y6", "VBROADCASTSS rs+44(FP), Y5"],
                   insl, [("Y0", "DI")], body, [], nreg="n+32(FP)")

    for g in (False, True):
        nm = "vnormBwdSums" + ("G" if g else "") + "AVX2"
        insl = [("SI", "Y0"), ("R8", "Y1")] + ([("DX", "Y2")] if g else [])
        body = (["VMULPS Y2, Y0, Y0"] if g else []) + ["VSUBPS Y6, Y1, Y1", "VMULPS Y5, Y1, Y1"]
        emit(f"// {nm}: g = dy{'·gamma' if g else ''}, x̂ = (x − mu)·rs; returns Σg and Σg·x̂.")
        stream(f"{nm}(dy, x, gamma *float32, n int, mu, rs float32) (sg, sgx float32)", "$0-48",
               ["MOVQ dy+0(FP), SI", "MOVQ x+8(FP), R8", "MOVQ gamma+16(FP), DX",
                "VBROADCASTSS mu+32(FP), Y6", "VBROADCASTSS rs+36(FP), Y5", "VXORPS Y7, Y7, Y7", "VXORPS Y8, Y8, Y8"],
               insl, [], body,
               hsum("Y7", "X7", "X1") + hsum("Y8", "X8", "X1") + ["VMOVSS X7, sg+40(FP)", "VMOVSS X8, sgx+44(FP)"],
               acc=["VADDPS Y0, Y7, Y7", "VFMADD231PS Y1, Y0, Y8"], nreg="n+24(FP)")
        nm = "vnormBwd" + ("G" if g else "") + "AVX2"
        emit(f"// {nm}: dx = rs·(g − sg − x̂·sgx), g = dy{'·gamma' if g else ''}, x̂ = (x − mu)·rs.")
        stream(f"{nm}(dx, dy, x, gamma *float32, n int, mu, rs, sg, sgx float32)", "$0-56",
               ["MOVQ dx+0(FP), DI", "MOVQ dy+8(FP), SI", "MOVQ x+16(FP), R8", "MOVQ gamma+24(FP), DX",
                "VBROADCASTSS mu+40(FP), Y6", "VBROADCASTSS rs+44(FP), Y5",
                "VBROADCASTSS sg+48(FP), Y8", "VBROADCASTSS sgx+52(FP), Y9"],
               insl, [("Y0", "DI")],
               body + ["VSUBPS Y8, Y0, Y0", "VFNMADD231PS Y9, Y1, Y0", "VMULPS Y5, Y0, Y0"], [],
               nreg="n+32(FP)")

    for wg, wb in ((True, True), (True, False), (False, True)):
        nm = "vparamGrad" + ("G" if wg else "") + ("B" if wb else "") + "AVX2"
        insl = [("SI", "Y0"), ("R8", "Y1")] + ([("DI", "Y2")] if wg else []) + ([("DX", "Y3")] if wb else [])
        outl = ([("Y2", "DI")] if wg else []) + ([("Y3", "DX")] if wb else [])
        body = []
        if wg:
            body += ["VSUBPS Y6, Y1, Y1", "VMULPS Y5, Y1, Y1", "VFMADD231PS Y1, Y0, Y2"]
        if wb:
            body += ["VADDPS Y0, Y3, Y3"]
        emit(f"// {nm}: {'pg += dy·(x − mu)·rs' if wg else ''}{'; ' if wg and wb else ''}{'pb += dy' if wb else ''}.")
        stream(f"{nm}(pg, pb, dy, x *float32, n int, mu, rs float32)", "$0-48",
               ["MOVQ pg+0(FP), DI", "MOVQ pb+8(FP), DX", "MOVQ dy+16(FP), SI", "MOVQ x+24(FP), R8",
                "VBROADCASTSS mu+40(FP), Y6", "VBROADCASTSS rs+44(FP), Y5"],
               insl, outl, body, [], nreg="n+32(FP)")

    names = ["Identity", "GELU", "GELUTanh", "QuickGELU", "SiLU", "ReLU", "Sigmoid", "Tanh"]
    for k, nm in enumerate(names):
        emit(f"// vact{nm}AVX2: dst = f(x).")
        stream(f"vact{nm}AVX2(dst, x *float32, n int)", "$0-24",
               ["MOVQ dst+0(FP), DI", "MOVQ x+8(FP), SI"], [("SI", "Y0")], [("Y0", "DI")], ACT_FWD[k], [],
               unroll=len(regs(ACT_FWD[k]) | {0}) <= 8)
        emit(f"// vactBwd{nm}AVX2: dx = dy·f'(x).")
        stream(f"vactBwd{nm}AVX2(dx, x, dy *float32, n int)", "$0-32",
               ["MOVQ dx+0(FP), DI", "MOVQ x+8(FP), SI", "MOVQ dy+16(FP), DX"],
               [("SI", "Y0"), ("DX", "Y13")], [("Y0", "DI")], ACT_BWD[k], [], nreg="n+24(FP)",
               unroll=len(regs(ACT_BWD[k]) | {0, 13}) <= 8)

    # Bias + activation in one pass: pre = x + bias (stored when pre is
    # wanted), dst = f(pre). Y13 holds the bias, Y14 the pre-activation
    # copy; the activation bodies leave both alone.
    for k, nm in enumerate(names):
        for with_pre in (False, True):
            assert not ({13, 14} & regs(ACT_FWD[k])), nm
            rn = f"vbias{nm}{'Pre' if with_pre else ''}AVX2"
            emit(f"// {rn}: {'pre = x + bias, ' if with_pre else ''}dst = f(x + bias).")
            stream(f"{rn}(dst, pre, x, bias *float32, n int)", "$0-40",
                   ["MOVQ dst+0(FP), DI", "MOVQ pre+8(FP), R8", "MOVQ x+16(FP), SI", "MOVQ bias+24(FP), DX"],
                   [("SI", "Y0"), ("DX", "Y13")], ([("Y14", "R8")] if with_pre else []) + [("Y0", "DI")],
                   ["VADDPS Y13, Y0, Y0"] + (["VMOVAPS Y0, Y14"] if with_pre else []) + ACT_FWD[k], [],
                   nreg="n+32(FP)")

    emit("// vadamwAVX2: one AdamW step; c = [decay, b1, 1−b1, b2, 1−b2, sqrtBC2, eps, stepSize].")
    emit("// The operations and their order are those of adamwGeneric (no fused")
    emit("// multiply-adds), so results are bit-identical to it.")
    stream("vadamwAVX2(p, grad, m, v *float32, n int, c *[8]float32)", "$0-48",
           ["MOVQ p+0(FP), DI", "MOVQ grad+8(FP), SI", "MOVQ m+16(FP), DX", "MOVQ v+24(FP), R8",
            "MOVQ c+40(FP), AX", "VBROADCASTSS 0(AX), Y6", "VBROADCASTSS 4(AX), Y7", "VBROADCASTSS 8(AX), Y8",
            "VBROADCASTSS 12(AX), Y9", "VBROADCASTSS 16(AX), Y10", "VBROADCASTSS 20(AX), Y11",
            "VBROADCASTSS 24(AX), Y12", "VBROADCASTSS 28(AX), Y13"],
           [("DI", "Y0"), ("SI", "Y1"), ("DX", "Y2"), ("R8", "Y3")], [("Y0", "DI"), ("Y2", "DX"), ("Y3", "R8")],
           ["VMULPS Y6, Y0, Y0",                                  # p *= decay
            "VMULPS Y7, Y2, Y2", "VMULPS Y8, Y1, Y4", "VADDPS Y4, Y2, Y2",    # m = b1·m + (1−b1)·g
            "VMULPS Y9, Y3, Y3", "VMULPS Y10, Y1, Y4", "VMULPS Y1, Y4, Y4", "VADDPS Y4, Y3, Y3",  # v
            "VSQRTPS Y3, Y4", "VDIVPS Y11, Y4, Y4", "VADDPS Y12, Y4, Y4",     # denom
            "VMULPS Y13, Y2, Y5", "VDIVPS Y4, Y5, Y5", "VSUBPS Y5, Y0, Y0"],  # p −= step·m/denom
           [], nreg="n+32(FP)")

    # float64 reductions.
    emit("// vsum64AVX2 returns Σx in float64 (two 4-lane accumulators).")
    stream("vsum64AVX2(x *float32, n int) float64", "$0-24",
           ["MOVQ x+0(FP), SI", "VXORPD Y7, Y7, Y7", "VXORPD Y8, Y8, Y8"], [("SI", "Y0")], [],
           ["VCVTPS2PD X0, Y1", "VEXTRACTF128 $1, Y0, X2", "VCVTPS2PD X2, Y2"],
           ["VADDPD Y8, Y7, Y7"] + hsumpd("Y7", "X7", "X1") + ["VMOVSD X7, ret+16(FP)"],
           acc=["VADDPD Y1, Y7, Y7", "VADDPD Y2, Y8, Y8"], nreg="n+8(FP)")
    emit("// vdot64AVX2 returns Σx·y in float64 (products are exact in float64).")
    stream("vdot64AVX2(x, y *float32, n int) float64", "$0-32",
           ["MOVQ x+0(FP), SI", "MOVQ y+8(FP), DX", "VXORPD Y7, Y7, Y7", "VXORPD Y8, Y8, Y8"],
           [("SI", "Y0"), ("DX", "Y3")], [],
           ["VCVTPS2PD X0, Y1", "VEXTRACTF128 $1, Y0, X2", "VCVTPS2PD X2, Y2",
            "VCVTPS2PD X3, Y4", "VEXTRACTF128 $1, Y3, X5", "VCVTPS2PD X5, Y5"],
           ["VADDPD Y8, Y7, Y7"] + hsumpd("Y7", "X7", "X1") + ["VMOVSD X7, ret+24(FP)"],
           acc=["VFMADD231PD Y4, Y1, Y7", "VFMADD231PD Y5, Y2, Y8"], nreg="n+16(FP)")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "vec_avx2_amd64.s"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(here, "vec_decl_amd64.go"), "w") as f:
        f.write("// Code generated by asm_vec_gen.py; DO NOT EDIT.\n\n//go:build amd64 && !noasm\n\npackage kernels\n\n")
        f.write("// AVX2 streaming kernels of vec_avx2_amd64.s; each handles any n ≥ 0\n// with masked tails. In the reference loops the pointers stand for\n"
                "// slices of n elements and exp(x) for float32(math.Exp(float64(x))), which\n"
                "// the assembly approximates within the tolerances vec_asm_test.go checks.\n")
        for sig in SIGS:
            name = sig.split("(")[0]
            if name not in DOCS:
                raise SystemExit(f"asm_vec_gen.py: no reference loop for {name} in DOCS")
            f.write("\n" + "".join(("//" + l if l.startswith("\t") else "// " + l if l else "//") + "\n" for l in DOCS[name]))
            f.write(f"//\n//go:noescape\nfunc {sig}\n")


if __name__ == "__main__":
    main()
