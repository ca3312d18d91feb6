#!/usr/bin/env bash
# Benchmark: the worklist page with 500 studies on loopback (issue goal: ≤ 1 s). Starts a throwaway `headsup serve`
# (API role: no model needed) on a free port with a temporary data dir holding 500 synthetic worklist rows (statuses,
# probabilities, subtypes, feedback; no images), then times the page in Debian's Chromium (benchmarks/web/load.mjs)
# and the API call alone. Stops the service by its process id.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${STUDIES:-500}
py=/usr/bin/python3
tool=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup.dll
[ -f "$tool" ] || dotnet build src/Headsup.Cli -c Release -nologo -v q
[ -d benchmarks/web/node_modules/playwright-core ] || npm ci --prefix benchmarks/web --no-audit --no-fund --loglevel=error
tmp=$(mktemp -d)
trap 'kill -TERM "${pid:-0}" 2>/dev/null || true; wait "${pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
key=$(dotnet "$tool" serve keys create --data-dir "$tmp/data" --role reader --label benchmark | tail -n 1)
$py - "$tmp/data/headsup.db" "$n" <<'PY'
import json, random, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
con = sqlite3.connect(db)
now = int(time.time() * 1000)
rows = []
for i in range(n):
    status = random.choices(["done", "failed", "queued", "running", "receiving"], [90, 3, 3, 2, 2])[0]
    p = random.random() if status == "done" else None
    positive = None if p is None else int(p >= 0.5)
    sub = None if p is None else json.dumps({k: round(random.random() * p, 3) for k in ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"]})
    received = now - random.randint(0, 7 * 86400 * 1000)
    fb = random.choice([None, None, None, 1, 0]) if status == "done" else None
    rows.append((f"1.2.826.0.1.3680043.10.999.{i}", f"{i:012x}", f"BENCH{i:05d}", f"BENCH^PATIENT{i}", f"ACC{i:06d}", "CT HEAD WITHOUT CONTRAST",
                 received - 60000, received, 32, 0, 1, status, 1 if p is not None else None, p, positive, "synthetic failure reason" if status == "failed" else None,
                 received, sub, None if p is None else random.uniform(3, 20), fb, "key_bench" if fb is not None else None, received + 60000 if fb is not None else None))
con.executemany("""INSERT INTO studies (study_uid, study_hash, patient_id, patient_name, accession, study_description, first_received, last_received,
                   received_instances, pending, current_version, status, result_version, probability, positive, error, updated, subtypes, result_seconds,
                   feedback_agree, feedback_by, feedback_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
con.commit()
print(f"seeded {n} worklist rows")
PY
port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
url="http://127.0.0.1:$port"
dotnet "$tool" serve --role api --data-dir "$tmp/data" --urls "$url" > "$tmp/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do curl -fs "$url/health/live" > /dev/null 2>&1 && break; sleep 0.25; done
echo "== API alone: GET /api/studies?limit=$n (curl, 15 runs)"
for i in $(seq 1 15); do curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $key" "$url/api/studies?limit=$n"; done | sort -n | awk '{a[NR]=$1} END {printf "  median %.0f ms\n", a[int((NR+1)/2)]*1000}'
echo "== the page in Chromium"
node benchmarks/web/load.mjs "$url" "$key" "$n" 15
