#!/usr/bin/env bash
# Side-by-side GEMM benchmark: vlmtune (Go assembly), OpenBLAS (cgo, Debian
# libopenblas-dev) and PyTorch (Debian python3-torch) at the same shapes and
# thread count, in one run, printed as BENCHMARKS.md rows with ratios.
#
#   bench/gemm/run.sh [--threads N] [--shapes LIST] [--min-time DUR]
#
# Defaults: 2 threads, 1024^3 and the CLIP ViT-B/32 training shapes (batch
# 32), 300ms per shape. Raw JSON lines are kept in $OUT (default
# /tmp/vlmtune-bench-gemm). Run it on a quiet machine: other processes on
# the same cores lower every number, the peak included.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=2 shapes="" min_time=300ms
while [ $# -gt 0 ]; do
	case "$1" in
	--threads) threads=$2; shift 2 ;;
	--shapes) shapes=$2; shift 2 ;;
	--min-time) min_time=$2; shift 2 ;;
	*) echo "usage: $0 [--threads N] [--shapes LIST] [--min-time DUR]" >&2; exit 2 ;;
	esac
done
out=${OUT:-/tmp/vlmtune-bench-gemm}
mkdir -p "$out"
export PATH="/usr/local/go/bin:$PATH"
# Debian's python3-torch installs into the system Python, not a pyenv one.
py=${PYTHON:-/usr/bin/python3}

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$out/vlmtune" ./cmd/vlmtune
have_blas=0
if go build -tags openblas -o "$out/openblas" ./bench/gemm/openblas 2>"$out/openblas.build.log"; then
	have_blas=1
else
	echo "== OpenBLAS skipped (install libopenblas-dev): $(tail -1 "$out/openblas.build.log")"
fi
have_torch=0
if "$py" -c "import torch" 2>/dev/null; then
	have_torch=1
else
	echo "== PyTorch skipped: install python3-torch"
fi
secs=$(python3 -c "import sys; s=sys.argv[1]; print(float(s[:-2])/1000 if s.endswith('ms') else float(s.rstrip('s')))" "$min_time")

if [ -z "$shapes" ]; then
	"$out/vlmtune" bench gemm --list-shapes >"$out/shapes.tsv"
	shapes=$(cut -f1 "$out/shapes.tsv" | paste -sd,)
else
	: >"$out/shapes.tsv"
fi
: >"$out/vlmtune.jsonl"
: >"$out/openblas.jsonl"
: >"$out/torch.jsonl"
# Shape by shape, the three implementations back to back, so that a load
# that changes during the run affects them alike; vlmtune measures the FMA
# peak again before each shape.
IFS=, read -r -a list <<<"$shapes"
for s in "${list[@]}"; do
	echo "== $s"
	"$out/vlmtune" bench gemm --json --threads "$threads" --min-time "$min_time" --shapes "$s" | tee -a "$out/vlmtune.jsonl"
	if [ $have_blas = 1 ]; then
		OPENBLAS_NUM_THREADS=$threads "$out/openblas" --shapes "$s" --min-time "$min_time" | tee -a "$out/openblas.jsonl"
	fi
	if [ $have_torch = 1 ]; then
		"$py" bench/gemm/torch_gemm.py --threads "$threads" --shapes "$s" --min-time "$secs" | tee -a "$out/torch.jsonl"
	fi
done

echo "== results ($threads threads; load after: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 bench/gemm/compare.py "$out/vlmtune.jsonl" "$out/openblas.jsonl" "$out/torch.jsonl" "$out/shapes.tsv"
