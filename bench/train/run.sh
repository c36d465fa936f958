#!/usr/bin/env bash
# CLIP ViT-B/32 training steps, vlmtune against PyTorch, in one run: for
# each method `vlmtune bench train` and bench/train/clip_torch.py (same
# architecture, random weights, random data, AdamW lr 1e-5 wd 0.1), then a
# Markdown table of samples/s and peak RSS with vlmtune/PyTorch ratios.
#
#   bench/train/run.sh [--steps N] [--batch B] [--threads T] [--methods "full lora"] [--attn eager|fast]
#
# Defaults: 5 timed steps (after 1 warm-up), batch 16, 2 threads, both
# methods, eager attention (transformers' default for CLIP training).
# Needs: Go (/usr/local/go/bin), Debian's python3-torch in /usr/bin/python3
# (or PYTHON=...); JSON is parsed with that Python's standard library (no jq).
# Raw JSON is kept in $OUT (default /tmp/vlmtune-bench-train); the vlmtune
# binary is built to $VLMTUNE_BIN (default /tmp/vlmtune). At real size a
# full step takes tens of seconds per side: run it on a quiet machine, the
# two sides run one after the other, never at the same time.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=5 batch=16 threads=2 methods="full lora" attn=eager
usage="usage: $0 [--steps N] [--batch B] [--threads T] [--methods \"full lora\"] [--attn eager|fast]"
while [ $# -gt 0 ]; do
	case "$1" in
	--steps) steps=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--methods) methods=$2; shift 2 ;;
	--attn) attn=$2; shift 2 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
out=${OUT:-/tmp/vlmtune-bench-train}
bin=${VLMTUNE_BIN:-/tmp/vlmtune}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
export PATH="/usr/local/go/bin:$PATH"
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; load: $(load)"
echo "== steps $steps, batch $batch, threads $threads, methods: $methods"

have_vlmtune=0 have_all_tokens=0
if go build -o "$bin" ./cmd/vlmtune; then
	# Help texts captured first: `cmd | grep -q` can fail under pipefail
	# when grep exits early and cmd gets SIGPIPE.
	help=$("$bin" bench --help 2>/dev/null || true)
	if grep -qE '^[[:space:]]+train[[:space:]]' <<<"$help"; then
		have_vlmtune=1
		# The thread count goes in GOMAXPROCS (the worker pool's default
		# size) and, when the subcommand has it, in --threads.
		vargs=()
		help=$("$bin" bench train --help 2>/dev/null || true)
		if grep -q -- '--threads' <<<"$help"; then vargs=(--threads "$threads"); fi
		if grep -q -- '--all-tokens' <<<"$help"; then have_all_tokens=1; fi
	else
		echo "== vlmtune: this build has no 'vlmtune bench train' subcommand yet; its columns stay n/a"
	fi
else
	echo "== vlmtune: 'go build ./cmd/vlmtune' failed (see above); its columns stay n/a"
fi
if ! "$py" -c "import torch" 2>/dev/null; then
	echo "== PyTorch: $py cannot import torch; install Debian's python3-torch (apt-get install -y python3-torch)" >&2
fi

for m in $methods; do
	case "$m" in full | lora) ;; *) echo "unknown method $m (full, lora)" >&2; exit 2 ;; esac
	: >"$out/vlmtune-$m.json"
	: >"$out/torch-$m.json"
	: >"$out/vlmtune-$m-pooled.json"
	if [ $have_vlmtune = 1 ]; then
		# Like for like first: --all-tokens computes every position, as the
		# PyTorch peer does; then the trainer's default, which computes only
		# what the embeddings depend on (packed text, pooled last layers).
		variants=("$m:")
		if [ $have_all_tokens = 1 ]; then variants=("$m:--all-tokens" "$m-pooled:"); fi
		for v in "${variants[@]}"; do
			name=${v%%:*} flag=${v#*:}
			echo "== GOMAXPROCS=$threads $bin bench train --arch clip-vit-b-32 --method $m --batch $batch --steps $steps ${vargs[*]} $flag --json  (load $(load))"
			# shellcheck disable=SC2086 # flag is empty or one word
			if ! GOMAXPROCS=$threads "$bin" bench train --arch clip-vit-b-32 --method "$m" --batch "$batch" \
				--steps "$steps" "${vargs[@]}" $flag --json >"$out/vlmtune-$name.json"; then
				echo "== vlmtune bench train --method $m $flag failed (exit status above); its row stays n/a"
			fi
			cat "$out/vlmtune-$name.json"
		done
	fi
	echo "== $py bench/train/clip_torch.py --method $m --batch $batch --steps $steps --warmup 1 --threads $threads --attn $attn --json  (load $(load))"
	if ! "$py" bench/train/clip_torch.py --method "$m" --batch "$batch" --steps "$steps" --warmup 1 \
		--threads "$threads" --attn "$attn" --json >"$out/torch-$m.json"; then
		echo "== PyTorch --method $m failed; its row stays n/a"
	fi
	cat "$out/torch-$m.json"
done

echo "== results (batch $batch, $threads threads; load after: $(load)); ratios are vlmtune/PyTorch"
# shellcheck disable=SC2086 # methods is a word list
"$py" bench/train/table.py train "$out" $methods
