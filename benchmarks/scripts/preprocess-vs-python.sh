#!/usr/bin/env bash
# End to end: `headsup preprocess --recipe e2 --format npy` beside the HEADS UP paper's pydicom + numpy code as a whole
# program (tools/reference/paper_preprocess_e2.py), each a whole process (start-up, scan, read, convert, write), on the
# same COUNT uncompressed 512×512 slices, output to /dev/shm, ROUNDS rounds alternating which side goes first. Checks
# that both sides write byte-identical .npy files, prints medians (wall and CPU) and the ratio. Goal: ours ≥ 8× faster
# (wall, both sides free to use the machine's cores; the paper's code is single-threaded).
# Inputs: the uncompressed RSNA slices of ../shared/data/real-ct-dev repeated to COUNT files, or, without the shared
# data, `headsup phantom` slices. Builds what it needs (Release, ReadyToRun) and cleans up after itself.
# Usage: benchmarks/scripts/preprocess-vs-python.sh [ROUNDS=5] [COUNT=400] [--kernel]
#   --kernel also runs the BenchmarkDotNet E2 kernel suite (benchmarks/Headsup.Benchmarks, E2PipelineBenchmark).
set -euo pipefail
cd "$(dirname "$0")/../.."
kernel=0
args=()
for a in "$@"; do if [ "$a" = --kernel ]; then kernel=1; else args+=("$a"); fi; done
rounds=${args[0]:-5}
count=${args[1]:-400}
python=/usr/bin/python3
"$python" -c 'import pydicom, numpy' 2>/dev/null || { echo "needs python3-pydicom and python3-numpy (scripts/install-deps.sh)" >&2; exit 2; }
[ -w /dev/shm ] || { echo "/dev/shm is not writable" >&2; exit 2; }
work=$(mktemp -d /dev/shm/headsup-preprocess-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "building the tool (Release; ReadyToRun, see build/ReadyToRunOnBuild.targets)..."
dotnet build src/Headsup.Cli -c Release -nologo -v q >/dev/null
# Build servers linger and compete for the cores being measured: stop them first.
dotnet build-server shutdown >/dev/null 2>&1 || true
headsup=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup

mapfile -t sources < <(find ../shared/data/real-ct-dev/studies/rsna-* ../shared/data/real-ct-dev/slices -name '*.dcm' 2>/dev/null | sort)
if [ ${#sources[@]} -gt 0 ]; then
  origin="uncompressed RSNA slices from ../shared/data/real-ct-dev (${#sources[@]} distinct)"
else
  "$headsup" phantom --out "$work/phantom" --studies $(((count + 23) / 24)) --seed 1 --hemorrhage random >/dev/null
  mapfile -t sources < <(find "$work/phantom/dicom" -name '*.dcm' | sort)
  origin="headsup phantom slices (${#sources[@]} distinct)"
fi
for ((i = 0; i < count; i++)); do
  folder="$work/in/copy$((i / ${#sources[@]}))"
  mkdir -p "$folder"
  cp "${sources[i % ${#sources[@]}]}" "$folder/$(printf %04d "$i")-$(basename "${sources[i % ${#sources[@]}]}")"
done
sleep 2

# run SIDE ROUND: one whole process, its wall and CPU seconds appended to $work/times
run() {
  local side=$1 out="$work/out-$1"
  rm -rf "$out"
  if [ "$side" = ours ]; then
    /usr/bin/time -f "$side %e %U %S" -a -o "$work/times" "$headsup" preprocess "$work/in" --recipe e2 --format npy --out "$out" >/dev/null
  else
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/time -f "$side %e %U %S" -a -o "$work/times" "$python" tools/reference/paper_preprocess_e2.py "$work/in" "$out" >/dev/null
  fi
  tail -n 1 "$work/times" | awk -v r="$2" '{printf "round %d  %-6s wall %6.2f s  cpu %6.2f s\n", r, $1, $2, $3 + $4}'
}

echo "files: $count ($origin); rounds: $rounds; cores: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then run ours "$r"; run paper "$r"; else run paper "$r"; run ours "$r"; fi
  if ((r == 1)); then
    if diff -rq "$work/out-ours" "$work/out-paper" >/dev/null; then
      echo "outputs: byte-identical ($(find "$work/out-ours" -name '*.npy' | wc -l) .npy files on each side)"
    else
      echo "outputs DIFFER between the two sides:" >&2
      diff -rq "$work/out-ours" "$work/out-paper" | head -5 >&2
      exit 1
    fi
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$work/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(side, cpu=False):
    return statistics.median(float(r[2]) + float(r[3]) if cpu else float(r[1]) for r in rows if r[0] == side)
ours, paper = median("ours"), median("paper")
print(f"median wall: headsup {ours:.2f} s, paper pipeline {paper:.2f} s -> {paper / ours:.1f}x (goal >= 8x: {'met' if paper / ours >= 8 else 'NOT met'})")
print(f"median cpu (user + sys): headsup {median('ours', True):.2f} s, paper pipeline {median('paper', True):.2f} s -> {median('paper', True) / median('ours', True):.1f}x")
PY

if ((kernel)); then
  echo "--- kernel: BenchmarkDotNet E2PipelineBenchmark (parse + HU + E2 of one slice in memory) ---"
  dotnet run -c Release --project benchmarks/Headsup.Benchmarks -- --filter '*E2PipelineBenchmark*'
fi
