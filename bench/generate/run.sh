#!/usr/bin/env bash
# Text generation, vlmtune against PyTorch, in one run: `vlmtune bench
# generate` and bench/generate/llama_torch.py (the same Llama architecture,
# random float32 weights, a random prompt, greedy decoding with a key/value
# cache, batch 1), one after the other, then a Markdown table with the
# vlmtune/PyTorch ratios and decode speed against the memory-bandwidth bound
# vlmtune measures.
#
#   bench/generate/run.sh [--arch tinyllama-1.1b] [--prompt-len 128] [--new-tokens 128] [--threads 2]
#
# Needs Go (/usr/local/go/bin), Debian's python3-torch (PYTHON=... to use
# another interpreter) and libopenblas0-pthread: Debian's torch multiplies
# with whatever libblas.so.3 is, and the reference BLAS it falls back to is
# some 35 times slower (3.5 against 128 GFLOP/s on 2 cores here). Raw JSON is kept in $OUT (default
# /tmp/vlmtune-bench-generate); the binary is built to $VLMTUNE_BIN
# (default /tmp/vlmtune). Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=tinyllama-1.1b prompt=128 new=128 threads=2
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--prompt-len) prompt=$2; shift 2 ;;
	--new-tokens) new=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	*) echo "usage: $0 [--arch A] [--prompt-len N] [--new-tokens N] [--threads T]" >&2; exit 2 ;;
	esac
done
out=${OUT:-/tmp/vlmtune-bench-generate}
bin=${VLMTUNE_BIN:-/tmp/vlmtune}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
export PATH="/usr/local/go/bin:$PATH"
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
echo "== flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512[a-z_0-9]*)$' | tr '\n' ' ')"
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
echo "== libblas.so.3 (PyTorch's BLAS): $blas"
case "$blas" in *openblas*) ;; *) echo "== warning: PyTorch is not on OpenBLAS; apt-get install -y libopenblas0-pthread for a fair peer" >&2 ;; esac
go build -o "$bin" ./cmd/vlmtune
echo "== GOMAXPROCS=$threads $bin bench generate --arch $arch --prompt-len $prompt --new-tokens $new --json"
GOMAXPROCS=$threads "$bin" bench generate --arch "$arch" --prompt-len "$prompt" --new-tokens "$new" --json | tee "$out/vlmtune.json"
echo "== $py bench/generate/llama_torch.py --arch $arch --prompt-len $prompt --new-tokens $new --threads $threads"
"$py" bench/generate/llama_torch.py --arch "$arch" --prompt-len "$prompt" --new-tokens "$new" --threads "$threads" | tee "$out/torch.json"
"$py" - "$out/vlmtune.json" "$out/torch.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
mib = 1 << 20
print()
print(f"| {v['arch']}, prompt {v['prompt_len']}, {v['new_tokens']} new tokens, {v['threads']} threads | vlmtune | PyTorch {t['torch']} | vlmtune / PyTorch |")
print("|---|---|---|---|")
print(f"| prefill tokens/s | {v['prefill_tokens_per_s']:.1f} | {t['prefill_tokens_per_s']:.1f} | {v['prefill_tokens_per_s'] / t['prefill_tokens_per_s']:.2f}× |")
print(f"| decode tokens/s | {v['decode_tokens_per_s']:.2f} | {t['decode_tokens_per_s']:.2f} | {v['decode_tokens_per_s'] / t['decode_tokens_per_s']:.2f}× |")
print(f"| peak RSS MiB | {v['peak_rss_bytes'] / mib:.0f} | {t['peak_rss_bytes'] / mib:.0f} | {v['peak_rss_bytes'] / t['peak_rss_bytes']:.2f}× |")
print(f"| decode bound tokens/s ({v['bandwidth_bytes_per_s'] / 1e9:.1f} GB/s ÷ {v['weight_bytes_per_token'] / 1e9:.2f} GB/token) | {v['decode_bound_tokens_per_s']:.2f} | | |")
print(f"| decode / bound | {v['decode_fraction_of_bound']:.0%} | {t['decode_tokens_per_s'] / v['decode_bound_tokens_per_s']:.0%} | |")
PY
