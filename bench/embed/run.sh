#!/usr/bin/env bash
# CLIP ViT-B/32 image embedding throughput, vlmtune against PyTorch, in one
# run: `vlmtune embed --bench` and bench/embed/embed_torch.py (vision tower +
# visual_projection, random weights, random pixels, no image decoding, no
# gradients), then a Markdown row of images/s and peak RSS with the
# vlmtune/PyTorch ratios.
#
#   bench/embed/run.sh [--batch B] [--iters N] [--threads T] [--attn eager|fast] [--whole-model]
#
# Defaults: batch 32, 5 timed batches (after 1 warm-up) on the PyTorch side,
# 2 threads, eager attention (--attn fast: torch's fused native attention);
# vlmtune is asked for batch x iters images when it has --images. PyTorch
# builds the vision tower + projection only; --whole-model builds the whole
# CLIPModel (both towers) there, which is what a loaded checkpoint holds.
# Needs: Go (/usr/local/go/bin), Debian's python3-torch in /usr/bin/python3
# (or PYTHON=...); JSON is parsed with that Python's standard library (no jq).
# Raw JSON is kept in $OUT (default /tmp/vlmtune-bench-embed); the vlmtune
# binary is built to $VLMTUNE_BIN (default /tmp/vlmtune). The two sides run
# one after the other; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
batch=32 iters=5 threads=2 attn=eager whole=()
usage="usage: $0 [--batch B] [--iters N] [--threads T] [--attn eager|fast] [--whole-model]"
while [ $# -gt 0 ]; do
	case "$1" in
	--batch) batch=$2; shift 2 ;;
	--iters) iters=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--attn) attn=$2; shift 2 ;;
	--whole-model) whole=(--whole-model); shift ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
out=${OUT:-/tmp/vlmtune-bench-embed}
bin=${VLMTUNE_BIN:-/tmp/vlmtune}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
export PATH="/usr/local/go/bin:$PATH"
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; load: $(load)"
: >"$out/vlmtune-embed.json"
: >"$out/torch-embed.json"

if go build -o "$bin" ./cmd/vlmtune; then
	# Help text captured first: `cmd | grep -q` can fail under pipefail when
	# grep exits early and cmd gets SIGPIPE.
	help=$("$bin" embed --help 2>/dev/null || true)
	if grep -q -- '--bench' <<<"$help"; then
		vargs=()
		if grep -q -- '--threads' <<<"$help"; then vargs+=(--threads "$threads"); fi
		if grep -q -- '--images' <<<"$help"; then vargs+=(--images $((batch * iters))); fi
		echo "== GOMAXPROCS=$threads $bin embed --bench --arch clip-vit-b-32 --batch $batch ${vargs[*]} --json  (load $(load))"
		if ! GOMAXPROCS=$threads "$bin" embed --bench --arch clip-vit-b-32 --batch "$batch" "${vargs[@]}" \
			--json >"$out/vlmtune-embed.json"; then
			echo "== vlmtune embed --bench failed (exit status above); its columns stay n/a"
		fi
		cat "$out/vlmtune-embed.json"
	else
		echo "== vlmtune: this build has no 'vlmtune embed --bench' yet; its columns stay n/a"
	fi
else
	echo "== vlmtune: 'go build ./cmd/vlmtune' failed (see above); its columns stay n/a"
fi

if "$py" -c "import torch" 2>/dev/null; then
	echo "== $py bench/embed/embed_torch.py --batch $batch --iters $iters --warmup 1 --threads $threads --attn $attn ${whole[*]} --json  (load $(load))"
	if ! "$py" bench/embed/embed_torch.py --batch "$batch" --iters "$iters" --warmup 1 --threads "$threads" \
		--attn "$attn" "${whole[@]}" --json >"$out/torch-embed.json"; then
		echo "== PyTorch embedding failed; its columns stay n/a"
	fi
	cat "$out/torch-embed.json"
else
	echo "== PyTorch skipped: $py cannot import torch; install Debian's python3-torch (apt-get install -y python3-torch)"
fi

echo "== results ($threads threads; load after: $(load)); ratios are vlmtune/PyTorch"
"$py" bench/train/table.py embed "$out"
