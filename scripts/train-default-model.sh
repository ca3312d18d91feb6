#!/usr/bin/env bash
# Trains the default model shipped in models/default, from ../shared/data (head-ct-dev PNGs, real-ct-dev RSNA/CQ500
# DICOM slices and studies) plus phantom studies and lesion insertion into real negatives; then the study calibration on
# the real studies (calibrate-study). train also writes input-profile.json (detect's out-of-distribution reference).
# Usage: scripts/train-default-model.sh [OUT_DIR]   (default: models/default; about 25–35 minutes on 2 cores: two networks)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/default-model-recipe.sh
out=${1:-models/default}
data=../shared/data
[ -d "$data/head-ct-dev" ] || { echo "needs ../shared/data (head-ct-dev, real-ct-dev)" >&2; exit 2; }
bash scripts/install-deps.sh
dotnet build src/Headsup.Cli -c Release -nologo -v q
headsup=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup
# Phantoms go under out/ (ignored by git) so the package's training manifest names them by a relative path; the same
# seed regenerates them byte for byte.
work=out/default-model-data
rm -rf "$work"
"$headsup" phantom --out "$work/phantom" --studies 6 --seed 2019 --hemorrhage random
sources=("$data/head-ct-dev/labels.csv" "$data/real-ct-dev/labels.csv")
for csv in "$data"/real-ct-dev/slices/*/labels.csv; do sources+=("$csv"); done
sources+=("$work/phantom")
# calibrate-study derives the package into models/default and rebases the training manifest's relative paths, so
# `headsup dataset --verify models/default/training-manifest.json` finds ../shared/data and the phantoms under out/
# (regenerated there by this script, byte for byte).
trained=out/default-model-trained
rm -rf "$trained"
"$headsup" train --data "${sources[@]}" "${default_model_recipe[@]}" \
  --display-dropout 0.5 --epochs 14 --patience 5 --batch-size 16 \
  --synthetic-per-negative 0.5 --source-balance 0.5 --val-fraction 0.2 --seed 1 \
  --name headsup-default --model-version 1.2.0 --out "$trained"
# The study decision: contiguity-aware aggregation, calibrated on the real labelled studies only (never on phantoms);
# with fewer than 20 of each class the package says "insufficient real data" and makes no study decision.
rm -rf "$out"
"$headsup" calibrate-study --data "$data/real-ct-dev/labels.csv" --model "$trained" --aggregation contiguous-top-k-mean --out "$out"
# study-calibration.csv lists the calibration studies by StudyInstanceUID (shared data): keep it beside the training
# output for inspection, never in the package that is committed (.gitignore also refuses it under models/).
mv "$out/study-calibration.csv" out/default-model-study-calibration.csv
echo "study calibration rows: out/default-model-study-calibration.csv (not part of the package)"
