#!/usr/bin/env bash
# K-fold cross-validation by patient of one training recipe on one labelled source: an honest estimate of slice-level
# performance on unseen data from that source (every slice is scored by a model that never saw its patient).
# Usage: scripts/crossvalidate.sh [DATA] [FOLDS] [extra headsup train options...]
#   default: ../shared/data/head-ct-dev/labels.csv, 5 folds, the default model's recipe
#   (scripts/default-model-recipe.sh: resnet18-imagenet, brain-plus 224²) at 12 epochs, patience 4
# Output: out/crossvalidate/fold<K>/{model,eval}, pooled out-of-fold AUC/AP with a bootstrap CI (scikit-learn).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/head-ct-dev/labels.csv}
folds=${2:-5}
shift 2 || true
extra=("$@")
source scripts/default-model-recipe.sh
[ ${#extra[@]} -gt 0 ] || extra=("${default_model_recipe[@]}" --epochs 12 --patience 4)
bash scripts/install-deps.sh
dotnet build src/Headsup.Cli -c Release -nologo -v q
headsup=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup
out=out/crossvalidate
rm -rf "$out"; mkdir -p "$out"
"$headsup" dataset --data "$data" --folds "$folds" --out "$out/folds.json"
for ((k = 1; k <= folds; k++)); do
  echo "== fold $k/$folds"
  "$headsup" train --data "$out/folds.fold$k.json" "${extra[@]}" --out "$out/fold$k/model" | tail -3
  "$headsup" evaluate --model "$out/fold$k/model" --data "$out/folds.fold$k.json" --split validation --out "$out/fold$k/eval" --bootstrap 500 | sed -n '2,3p'
done
/usr/bin/python3 - "$out" "$folds" <<'PY'
import csv, random, sys
from sklearn.metrics import roc_auc_score, average_precision_score
out, folds = sys.argv[1], int(sys.argv[2])
y, p = [], []
for k in range(1, folds + 1):
    with open(f"{out}/fold{k}/eval/predictions.csv") as f:
        for row in csv.DictReader(f):
            y.append(int(row["label"])); p.append(float(row["probability"]))
auc, ap = roc_auc_score(y, p), average_precision_score(y, p)
rng = random.Random(1); aucs = []
for _ in range(2000):
    idx = [rng.randrange(len(y)) for _ in y]
    yy = [y[i] for i in idx]
    if 0 < sum(yy) < len(yy):
        aucs.append(roc_auc_score(yy, [p[i] for i in idx]))
aucs.sort()
print(f"pooled out-of-fold, slice level: n {len(y)}, positives {sum(y)}, AUC {auc:.3f} "
      f"[{aucs[int(0.025 * len(aucs))]:.3f}, {aucs[int(0.975 * len(aucs))]:.3f}], AP {ap:.3f}  (NOT FOR CLINICAL USE)")
PY
