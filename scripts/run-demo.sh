#!/usr/bin/env bash
# The main job on an embedded default: writes a synthetic head CT study with a subdural hemorrhage (headsup phantom),
# converts it to the paper's E2 input (headsup preprocess, npy and png), and shows the study tree (headsup inspect).
# Output goes to ./out/demo (override with OUT=...). Research software: NOT FOR CLINICAL USE.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=${OUT:-out/demo}
rm -rf "$out"
dotnet build src/Headsup.Cli -c Release -nologo -v q
headsup=(dotnet src/Headsup.Cli/bin/Release/net10.0/headsup.dll)
echo "== headsup phantom: one study, subdural hemorrhage, seed 7"
"${headsup[@]}" phantom --out "$out/phantom" --studies 1 --seed 7 --hemorrhage subdural
echo "== headsup preprocess: E2 (brain/subdural/soft-tissue windows), float32 npy H×W×3"
"${headsup[@]}" preprocess "$out/phantom/dicom" --recipe e2 --out "$out/e2-npy"
echo "== headsup preprocess: E2 as PNG, 256×256, for a look"
"${headsup[@]}" preprocess "$out/phantom/dicom" --recipe e2 --size 256 --format png --out "$out/e2-png"
echo "== headsup inspect"
"${headsup[@]}" inspect "$out/phantom/dicom"
echo "done: DICOM in $out/phantom/dicom, labels in $out/phantom/labels.csv and stage_2_train.csv, a brain-window montage in $out/phantom/preview, E2 tensors in $out/e2-npy, pictures in $out/e2-png"
