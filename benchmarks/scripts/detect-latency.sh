#!/usr/bin/env bash
# Issue 4's latency goals on this machine: a generated 40-slice 512² study → results.json with the model loaded
# (median of ROUNDS, goal ≤ 2 s on 2 cores), model load time separately, and IG / XRAI (goal ≤ 10 s) / Grad-CAM on the
# top slice, plus the peak working set. Usage: benchmarks/scripts/detect-latency.sh [MODEL] [ROUNDS] [SLICES] [MATRIX]
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-models/default}
dotnet build -c Release benchmarks/Headsup.Benchmarks -v q -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true
benchmarks/Headsup.Benchmarks/bin/Release/net10.0/linux-x64/Headsup.Benchmarks detect-latency "$model" "${2:-5}" "${3:-40}" "${4:-512}"
