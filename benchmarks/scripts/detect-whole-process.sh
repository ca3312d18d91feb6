#!/usr/bin/env bash
# Issue 9's triage goal as the user waits for it: `headsup detect <series> --out <dir>` as a whole process (start-up,
# model load, scan, decode, score, aggregate, out-of-distribution check, DICOM SR, results.json) on one SLICES-slice
# 512² head CT series, in bfloat16 (where the CPU computes it natively) and in float32
# (HEADSUP_INFERENCE_PRECISION=fp32), beside the same work in the paper's stack as a whole program
# (tools/reference/paper_detect.py: pydicom + numpy + PyTorch, same network, 2 threads), ROUNDS rounds rotating which
# side goes first. Prints medians (wall and CPU), peak memory, the ratios and the goals: ≤ 3 s with bfloat16, ≤ 4 s with
# float32 on 2 cores.
# Series: the uncompressed slices of an RSNA study in ../shared/data/real-ct-dev repeated (new SOP Instance UIDs and
# positions) to SLICES slices, or, without the shared data, `headsup phantom` slices the same way.
# Usage: benchmarks/scripts/detect-whole-process.sh [ROUNDS=5] [SLICES=36] [MODEL=the default model]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
count=${2:-36}
model=${3:-}
python=/usr/bin/python3
"$python" -c 'import pydicom, numpy, torch' 2>/dev/null || { echo "needs python3-pydicom, python3-numpy and python3-torch (scripts/install-deps.sh)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/headsup-detect-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building the tool (Release; ReadyToRun, see build/ReadyToRunOnBuild.targets)..."
dotnet build src/Headsup.Cli -c Release -nologo -v q >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true
headsup=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup
model_args=()
[ -n "$model" ] && model_args=(--model "$model")

study=$(find ../shared/data/real-ct-dev/studies -maxdepth 1 -name 'rsna-*' -type d 2>/dev/null | sort | head -n 1)
if [ -n "$study" ]; then
  origin="uncompressed RSNA slices of $(basename "$study") (../shared/data/real-ct-dev)"
else
  "$headsup" phantom --out "$work/phantom" --studies 1 --seed 1 --hemorrhage none >/dev/null
  study=$(dirname "$(find "$work/phantom" -name '*.dcm' | sort | head -n 1)")
  origin="headsup phantom slices"
fi
# One series of $count slices: the study's slices in order, repeated, each copy with its own SOP Instance UID, instance
# number and a position continuing the slice spacing (decode and scoring cost as a real series of that length).
"$python" -W ignore - "$study" "$work/series" "$count" <<'PY'
import os, sys
import pydicom
from pydicom.uid import generate_uid
source, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted((pydicom.dcmread(os.path.join(d, f)) for d, _, fs in os.walk(source) for f in fs), key=lambda x: float(x.ImagePositionPatient[2]))
series = {}
for x in files:
    series.setdefault(x.SeriesInstanceUID, []).append(x)
files = max(series.values(), key=len)
z0 = float(files[0].ImagePositionPatient[2])
spacing = (float(files[-1].ImagePositionPatient[2]) - z0) / max(len(files) - 1, 1) or 5.0
os.makedirs(target)
for i in range(count):
    x = files[i % len(files)]
    x.SOPInstanceUID = generate_uid()
    x.file_meta.MediaStorageSOPInstanceUID = x.SOPInstanceUID
    x.InstanceNumber = i + 1
    position = list(x.ImagePositionPatient)
    x.ImagePositionPatient = [position[0], position[1], z0 + i * spacing]
    if "SliceLocation" in x:
        x.SliceLocation = z0 + i * spacing
    x.save_as(os.path.join(target, f"{i:04d}.dcm"))
PY
sleep 2

# run SIDE ROUND: one whole process, its wall and CPU seconds and peak resident KB appended to $work/times
run() {
  local side=$1 out="$work/out-$1"
  rm -rf "$out"
  case "$side" in
    bf16|fp32) HEADSUP_INFERENCE_PRECISION=$side /usr/bin/time -f "$side %e %U %S %M" -a -o "$work/times" \
                 "$headsup" detect "$work/series" "${model_args[@]}" --out "$out" >/dev/null ;;
    paper) mkdir -p "$out"; OMP_NUM_THREADS=2 /usr/bin/time -f "$side %e %U %S %M" -a -o "$work/times" \
             "$python" tools/reference/paper_detect.py "$work/series" "$out/results.json" >/dev/null ;;
  esac
  tail -n 1 "$work/times" | awk -v r="$2" '{printf "round %d  %-5s wall %5.2f s  cpu %5.2f s  peak %4.0f MB\n", r, $1, $2, $3 + $4, $5 / 1024}'
}

sides=()
if grep -q -E 'avx512_bf16|amx_bf16' /proc/cpuinfo; then sides+=(bf16); else echo "this CPU has no AVX512-BF16/AMX: bfloat16 not measured (detect uses float32 here)"; fi
sides+=(fp32 paper)
echo "series: $count slices 512² ($origin); rounds: $rounds; cores: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < rounds; r++)); do
  for ((s = 0; s < ${#sides[@]}; s++)); do run "${sides[(s + r) % ${#sides[@]}]}" $((r + 1)); done
  if ((r == 0)); then
    "$python" - "$work/out-fp32/results.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["studies"][0]
print(f"check: detect scored {len(s['slices'])} slices; in-process seconds {s['seconds']}")
PY
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" - "$work/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(side, column):
    values = [float(r[column]) + (float(r[3]) if column == 2 else 0) for r in rows if r[0] == side]
    return statistics.median(values) if values else None
paper = median("paper", 1)
for side, goal in (("bf16", 3.0), ("fp32", 4.0)):
    wall = median(side, 1)
    if wall is None:
        continue
    print(f"median {side}: wall {wall:.2f} s, cpu {median(side, 2):.2f} s, peak {median(side, 4) / 1024:.0f} MB; "
          f"goal <= {goal:.0f} s: {'met' if wall <= goal else 'NOT met'}; paper stack / headsup = {paper / wall:.2f}x")
print(f"median paper stack (pydicom + numpy + PyTorch, tools/reference/paper_detect.py): wall {paper:.2f} s, cpu {median('paper', 2):.2f} s, peak {median('paper', 4) / 1024:.0f} MB")
PY
