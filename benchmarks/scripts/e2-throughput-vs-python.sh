#!/usr/bin/env bash
# DICOM (uncompressed 512×512) → E2 float tensor, one core: our pipeline beside the paper's Python pipeline
# (pydicom + numpy, tools/reference/paper_pipeline_throughput.py) on the same files in one run. Prints medians and
# the ratio. Usage: benchmarks/scripts/e2-throughput-vs-python.sh [ROUNDS] [FILES...]
# Default files: the uncompressed RSNA slices and studies in ../shared/data/real-ct-dev.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
shift || true
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find ../shared/data/real-ct-dev/studies/rsna-* ../shared/data/real-ct-dev/slices -name '*.dcm' | sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "no input files (is ../shared/data present?)" >&2; exit 2; }
dotnet build -c Release benchmarks/Headsup.Benchmarks -v q -nologo >/dev/null
# Build servers linger and compete for the core being measured: stop them first.
dotnet build-server shutdown >/dev/null 2>&1 || true
sleep 2
ours_bin=benchmarks/Headsup.Benchmarks/bin/Release/net10.0/Headsup.Benchmarks
echo "files: ${#files[@]}; rounds: $rounds; one core each (taskset -c 0)"
echo "--- HEADS UP (C#) ---"
ours=$(DOTNET_TieredPGO=1 taskset -c 0 "$ours_bin" throughput "$rounds" "${files[@]}" | tee /dev/stderr | awk '/^median/{print $2}')
echo "--- paper pipeline (pydicom + numpy) ---"
theirs=$(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 taskset -c 0 /usr/bin/python3 tools/reference/paper_pipeline_throughput.py "$rounds" "${files[@]}" | tee /dev/stderr | awk '/^median/{print $2}')
python3 - "$ours" "$theirs" <<'PY'
import sys
ours, theirs = float(sys.argv[1]), float(sys.argv[2])
print(f"median slices/s: ours {ours:.0f}, python {theirs:.0f}, ratio {ours / theirs:.1f}x (goal >= 10x and >= 2800/s)")
PY
