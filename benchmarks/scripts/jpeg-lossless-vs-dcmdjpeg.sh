#!/usr/bin/env bash
# Times headsup's JPEG Lossless decoding of every CQ500 slice beside dcmtk's dcmdjpeg on the same files, in one run.
#   headsup: in-process, per slice = read file + parse + decode (median of N repetitions after a warm-up).
#   dcmdjpeg: per slice = one process (start-up, read, decode, write an uncompressed copy to a temp folder).
# Prints per-tool medians (ms per slice) and the ratio dcmdjpeg / headsup. Needs dcmtk and the shared data.
# Usage: benchmarks/scripts/jpeg-lossless-vs-dcmdjpeg.sh [repetitions=5]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
data="${HEADSUP_SHARED_DATA:-$repo/../shared/data}"
reps="${1:-5}"
mapfile -t files < <(find "$data/real-ct-dev/studies" -path '*/cq500-*' -name '*.dcm' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no CQ500 slices under $data/real-ct-dev/studies; nothing to time" >&2; exit 2; fi
command -v dcmdjpeg >/dev/null || { echo "dcmdjpeg not found: apt-get install dcmtk" >&2; exit 2; }

dotnet build -c Release "$repo/benchmarks/Headsup.Benchmarks" -v q -nologo >/dev/null
ours="$(dotnet "$repo/benchmarks/Headsup.Benchmarks/bin/Release/net10.0/Headsup.Benchmarks.dll" jpeg-lossless-timing "$reps" "${files[@]}")"
ours_median="$(awk '/^median_ms_per_slice/ {print $2}' <<<"$ours")"

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# Median over slices of the per-slice median wall time (ms) of running "$@" on each slice.
time_tool() {
  local times=() per f i t0 t1
  for f in "${files[@]}"; do
    "$@" "$f" "$tmp/warm.dcm"   # warm the page cache and the binary
    per=()
    for ((i = 0; i < reps; i++)); do
      t0=$(date +%s%N); "$@" "$f" "$tmp/out.dcm"; t1=$(date +%s%N)
      per+=("$(( (t1 - t0) / 1000 ))")
    done
    times+=("$(printf '%s\n' "${per[@]}" | sort -n | awk -v n="$reps" 'NR == int(n/2)+1')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="${#times[@]}" 'NR == int(n/2)+1 {printf "%.3f", $1/1000}'
}
dcmtk_median="$(time_tool dcmdjpeg)"
# dcmconv copies the file without decoding: the same process start-up and I/O, so the difference estimates decode time.
copy_median="$(time_tool dcmconv)"

echo "slices:                      ${#files[@]} (CQ500, 512x512 16-bit, JPEG Lossless SV1), $reps repetitions each"
echo "headsup (in-process) median: ${ours_median} ms/slice"
echo "dcmdjpeg (per process) median: ${dcmtk_median} ms/slice"
echo "dcmconv (same I/O, no decode) median: ${copy_median} ms/slice"
awk -v a="$dcmtk_median" -v b="$ours_median" 'BEGIN {printf "ratio dcmdjpeg/headsup:       %.2f\n", a/b}'
awk -v a="$dcmtk_median" -v c="$copy_median" -v b="$ours_median" 'BEGIN {d = a - c; printf "dcmdjpeg decode estimate (dcmdjpeg - dcmconv): %.3f ms/slice, ratio to headsup %.2f\n", d, d/b}'
