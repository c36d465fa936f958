#!/usr/bin/env bash
# Image preprocessing benchmark: decode + resize + center crop + normalize of
# 640x480 JPEGs to 224x224 CLIP pixel values, on one core, vlmtune (Go,
# imageproc.Processor.ProcessBytes) side by side with PIL + numpy
# (bench/imageproc/pil_bench.py) in two ways: the lean PIL path, and the
# steps transformers' CLIPImageProcessor actually runs (with its copies).
# All three produce the same pixel values.
#
# Usage: bench/imageproc/run.sh            (from anywhere in the repository)
# Environment: N (JPEG files, default 32), BENCH_SECONDS (per measurement,
# default 5), ROUNDS (interleaved Go/PIL rounds, default 3), PYTHON (default
# /usr/bin/python3, which needs Debian's python3-pil and python3-numpy).
#
# Each round runs Go (go test -bench -cpu 1), then each PIL mode (one
# process) on the same files; the best round of each is reported, in images
# per wall-clock second and per CPU second of the process (the steadier
# figure when the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-32}
SECS=${BENCH_SECONDS:-5}
ROUNDS=${ROUNDS:-3}
PY=${PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

if ! "$PY" -c 'import PIL, numpy' 2>/dev/null; then
  echo "run.sh: $PY cannot import PIL and numpy; install them with: apt-get install python3-pil python3-numpy" >&2
  exit 2
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$PY" bench/imageproc/pil_bench.py gen "$dir" "$N"
go test -c -o "$dir/imageproc.test" ./imageproc

best() { sort -g | tail -1; }
go_wall=(); go_cpu=(); pil_wall=(); pil_cpu=(); hf_wall=(); hf_cpu=()
for r in $(seq "$ROUNDS"); do
  out=$(VLMTUNE_BENCH_JPEG_DIR="$dir" "$dir/imageproc.test" -test.run '^$' \
        -test.bench 'BenchmarkDecodeProcessJPEG$' -test.cpu 1 -test.benchtime "${SECS}s")
  go_wall+=("$(awk '/BenchmarkDecodeProcessJPEG/ {for (i=1;i<=NF;i++) if ($(i+1)=="images/s") print $i}' <<<"$out")")
  go_cpu+=("$(awk '/BenchmarkDecodeProcessJPEG/ {for (i=1;i<=NF;i++) if ($(i+1)=="images/cpu-s") print $i}' <<<"$out")")
  out=$("$PY" bench/imageproc/pil_bench.py bench "$dir" "$SECS" pil)
  pil_wall+=("$(awk '/^pil_images_per_s/ {print $2}' <<<"$out")")
  pil_cpu+=("$(awk '/^pil_images_per_cpu_s/ {print $2}' <<<"$out")")
  out=$("$PY" bench/imageproc/pil_bench.py bench "$dir" "$SECS" hf)
  hf_wall+=("$(awk '/^hf_images_per_s/ {print $2}' <<<"$out")")
  hf_cpu+=("$(awk '/^hf_images_per_cpu_s/ {print $2}' <<<"$out")")
  echo "round $r: vlmtune ${go_wall[-1]} img/s (${go_cpu[-1]}/CPU-s), PIL ${pil_wall[-1]} (${pil_cpu[-1]}), transformers steps ${hf_wall[-1]} (${hf_cpu[-1]})"
done

gw=$(printf '%s\n' "${go_wall[@]}" | best); gc=$(printf '%s\n' "${go_cpu[@]}" | best)
pw=$(printf '%s\n' "${pil_wall[@]}" | best); pc=$(printf '%s\n' "${pil_cpu[@]}" | best)
hw=$(printf '%s\n' "${hf_wall[@]}" | best); hc=$(printf '%s\n' "${hf_cpu[@]}" | best)
pv=$("$PY" -c 'import PIL; print(PIL.__version__)')
echo
echo "decode + resize (shortest edge 224, bicubic) + center crop 224 + normalize, 640x480 JPEG q90, one core"
printf '%-36s %10s %13s\n' "" "images/s" "images/CPU-s"
printf '%-36s %10s %13s\n' "vlmtune (Go)" "$gw" "$gc"
printf '%-36s %10s %13s\n' "PIL $pv + numpy, lean" "$pw" "$pc"
printf '%-36s %10s %13s\n' "PIL $pv + numpy, transformers steps" "$hw" "$hc"
awk -v gw="$gw" -v pw="$pw" -v gc="$gc" -v pc="$pc" -v hw="$hw" -v hc="$hc" 'BEGIN {
  printf "%-36s %10.2f %13.2f\n", "ratio vlmtune / PIL lean", gw / pw, gc / pc
  printf "%-36s %10.2f %13.2f\n", "ratio vlmtune / transformers steps", gw / hw, gc / hc }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both sides)"
