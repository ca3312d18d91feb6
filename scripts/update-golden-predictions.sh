#!/usr/bin/env bash
# Regenerates the golden table of the default model's predictions on ../shared/data
# (tests/Headsup.Models.Tests/Training/Fixtures/default-model-golden/*.csv, meta.json) from the current code, float32 inference.
# Run it only when a change of the default model's predictions is intended, and review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
test -d ../shared/data || { echo "../shared/data is absent: nothing to regenerate from" >&2; exit 3; }
dotnet build tests/Headsup.Models.Tests -c Release -v q
HEADSUP_UPDATE_GOLDEN=1 HEADSUP_INFERENCE_PRECISION=fp32 dotnet test tests/Headsup.Models.Tests -c Release --no-build \
  --filter "FullyQualifiedName~DefaultModelGoldenTests" --logger "console;verbosity=normal"
git status --short tests/Headsup.Models.Tests/Training/Fixtures/default-model-golden
