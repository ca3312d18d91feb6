#!/usr/bin/env bash
# Training throughput (images/s, 256², batch 16, 2 threads) of each architecture in TorchSharp beside the same network
# in PyTorch (Debian python3-torch, tools/reference/torch_networks.py), in one run, alternating sides per round so
# machine noise hits both. Prints medians and the ratio (goal ≥ 0.95). Then inference ms/slice of each network.
# Usage: benchmarks/scripts/train-throughput-vs-pytorch.sh [ROUNDS] [STEPS] [ARCH...]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
steps=${2:-3}
shift 2 || true
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(small-cnn resnet18 resnet18-imagenet resnet34)
threads=$(nproc)
dotnet build -c Release benchmarks/Headsup.Benchmarks -v q -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true
sleep 2
ours_bin=benchmarks/Headsup.Benchmarks/bin/Release/net10.0/linux-x64/Headsup.Benchmarks
echo "256², batch 16, $steps steps per round, $rounds rounds, $threads threads; TorchSharp 0.107 (libtorch 2.10) vs PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
printf '%-20s %12s %12s %8s\n' architecture "ours img/s" "torch img/s" ratio
for arch in "${archs[@]}"; do
  ours=(); theirs=()
  for ((r = 0; r < rounds; r++)); do
    ours+=("$("$ours_bin" train-throughput "$arch" 256 16 "$steps" 1 "$threads" | awk '/^median/{print $2}')")
    theirs+=("$(/usr/bin/python3 benchmarks/scripts/train_throughput_torch.py "$arch" 256 16 "$steps" 1 "$threads" | awk '/^median/{print $2}')")
  done
  /usr/bin/python3 - "$arch" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
arch, ours, theirs = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
o, t = statistics.median(ours), statistics.median(theirs)
print(f"{arch:<20} {o:12.2f} {t:12.2f} {o / t:8.2f}")
PY
done
echo "inference (eval, no grad, 1-channel 224², batch 16):"
for arch in "${archs[@]}"; do "$ours_bin" infer-latency "$arch" 224 16 5 "$threads"; done
