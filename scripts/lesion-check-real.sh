#!/usr/bin/env bash
# The lesion check on real bleeds: the project's reviewed masks (tests/Headsup.Models.Tests/Training/Fixtures/
# real-bleed-masks) over ../shared/data's positive slices, through `headsup lesion-check` (pointing game and top-region
# hit with Wilson CIs, per method). Usage: scripts/lesion-check-real.sh [lesion-check options...] --out DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ../shared/data/real-ct-dev ] || { echo "skipped: ../shared/data/real-ct-dev is absent" >&2; exit 0; }
data=$(cd ../shared/data && pwd)
fixture=$PWD/tests/Headsup.Models.Tests/Training/Fixtures/real-bleed-masks
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "file,any,mask" > "$work/labels.csv"
tail -n +2 "$fixture/masks.csv" | while IFS=, read -r file mask _; do
  echo "$data/$file,1,$fixture/$mask" >> "$work/labels.csv"
done
headsup=${HEADSUP:-src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup}
[ -x "$headsup" ] || dotnet build src/Headsup.Cli -c Release -nologo -v q
"$headsup" lesion-check --data "$work/labels.csv" "$@"
