#!/usr/bin/env bash
# The command-line pipeline on an embedded default (README command 1 is now the service: scripts/run-demo.sh): writes synthetic head CT studies (headsup phantom), converts one to the paper's
# E2 input (headsup preprocess, npy and png), shows the study tree (headsup inspect), and scores the studies with the
# default model shipped in models/default (headsup evaluate, slice and study level, metrics + plots + report), and triages
# a phantom study and, when ../shared/data is present, its real studies (headsup detect --explain xrai: results.json,
# overlays, panel, DICOM SR and Secondary Captures).
# Output goes to ./out/demo (override with OUT=...). Research software: NOT FOR CLINICAL USE.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=${OUT:-out/demo}
rm -rf "$out"
dotnet build src/Headsup.Cli -c Release -nologo -v q
headsup=(dotnet src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup.dll)
echo "== headsup phantom: one study, subdural hemorrhage, seed 7"
"${headsup[@]}" phantom --out "$out/phantom" --studies 1 --seed 7 --hemorrhage subdural
echo "== headsup phantom: four more studies (random hemorrhage or none), seed 8, for the model"
"${headsup[@]}" phantom --out "$out/phantom-eval" --studies 4 --seed 8 --hemorrhage random
echo "== headsup preprocess: E2 (brain/subdural/soft-tissue windows), float32 npy H×W×3"
"${headsup[@]}" preprocess "$out/phantom/dicom" --recipe e2 --out "$out/e2-npy"
echo "== headsup preprocess: E2 as PNG, 256×256, for a look"
"${headsup[@]}" preprocess "$out/phantom/dicom" --recipe e2 --size 256 --format png --out "$out/e2-png"
echo "== headsup inspect"
"${headsup[@]}" inspect "$out/phantom/dicom"
echo "== headsup evaluate: the default model (models/default) on the phantom studies, slice level"
"${headsup[@]}" evaluate --data "$out/phantom-eval" --out "$out/evaluate-slices"
echo "== headsup evaluate: study level"
"${headsup[@]}" evaluate --data "$out/phantom-eval" --level study --out "$out/evaluate-studies"
echo "== headsup detect: triage of the subdural phantom study with XRAI explanations, DICOM SR and Secondary Captures"
"${headsup[@]}" detect "$out/phantom/dicom" --explain xrai --out "$out/detect-phantom"
if [ -d ../shared/data/real-ct-dev/studies ]; then
  echo "== headsup detect: the 4 real studies of ../shared/data/real-ct-dev (RSNA uncompressed, CQ500 JPEG lossless), XRAI on the top key slice"
  "${headsup[@]}" detect ../shared/data/real-ct-dev/studies --explain xrai --key-slices 1 --out "$out/detect-real"
fi
echo "done: DICOM in $out/phantom/dicom, labels in $out/phantom/labels.csv and stage_2_train.csv, a brain-window montage in $out/phantom/preview, E2 tensors in $out/e2-npy, pictures in $out/e2-png, model metrics/plots/report in $out/evaluate-slices and $out/evaluate-studies (phantoms: a plumbing check, not a measure of real performance), triage results (results.json, overlays, panel.png, SR and SC) in $out/detect-phantom and $out/detect-real"
