#!/usr/bin/env bash
# README command 1 — the main job on an embedded default: builds HEADS UP, starts the triage service (`headsup serve`,
# embedded mode: SQLite + a file store + an in-process worker + the default model in models/default) on 127.0.0.1,
# creates a one-time admin key and an ingest key, feeds it demo studies by DICOMweb STOW-RS (three synthetic phantom
# studies, and ../shared/data/real-ct-dev/studies when present), waits for their results, prints the worklist, the URL
# and the admin key, and keeps the service running until Ctrl-C (HEADSUP_DEMO_EXIT=1: stop after the demo).
# Data goes to ./out/service-demo (override with OUT=...); PORT picks the port (default 8042, or a free one).
# The file-based pipeline (phantom, preprocess, evaluate, detect) is scripts/run-cli-demo.sh.
# Research software: NOT FOR CLINICAL USE.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
py=/usr/bin/python3
out=${OUT:-out/service-demo}
port=${PORT:-8042}
if ! $py -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
  port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
fi
url="http://127.0.0.1:$port"
rm -rf "$out"
mkdir -p "$out"
echo "== building headsup"
dotnet build src/Headsup.Cli -c Release -nologo -v q
headsup=(dotnet src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup.dll)
admin=$("${headsup[@]}" serve keys create --data-dir "$out/data" --role admin --label "demo admin" | tail -n 1)
ingest=$("${headsup[@]}" serve keys create --data-dir "$out/data" --role ingest --label "demo sender" | tail -n 1)
echo "== writing 3 synthetic phantom studies (headsup phantom, seed 7)"
"${headsup[@]}" phantom --out "$out/phantoms" --studies 3 --seed 7 --hemorrhage random > "$out/phantom.log"
echo "== starting the service at $url (log: $out/service.log)"
"${headsup[@]}" serve --data-dir "$out/data" --urls "$url" --stable-seconds 3 > "$out/service.log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "error: the service exited; its log:" >&2; tail -n 30 "$out/service.log" >&2; exit 1; fi
  if curl -fs "$url/health/ready" > /dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -fs "$url/health/ready" > /dev/null || { echo "error: the service did not become ready in 120 s; its log:" >&2; tail -n 30 "$out/service.log" >&2; exit 1; }
echo "== sending the phantom studies by STOW-RS"
$py scripts/service/stow.py "$url/dicomweb" "$ingest" "$out/phantoms/dicom"
if [ -d ../shared/data/real-ct-dev/studies ]; then
  echo "== sending the real studies of ../shared/data/real-ct-dev/studies by STOW-RS"
  for study in ../shared/data/real-ct-dev/studies/*/; do
    $py scripts/service/stow.py "$url/dicomweb" "$ingest" "$study" || echo "warning: $study was not stored completely (see above)"
  done
fi
echo "== waiting for the results (each study is triaged 3 s after its last instance)"
$py - "$url" "$admin" <<'PY'
import json, sys, time, urllib.request
url, key = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
deadline = time.time() + 900
while True:
    studies = get("/api/studies")["studies"]
    waiting = [s for s in studies if s["status"] not in ("done", "failed")]
    print(f"  {len(studies) - len(waiting)}/{len(studies)} studies finished", flush=True)
    if not waiting or time.time() > deadline:
        break
    time.sleep(3)
print()
print(f"{'study (…UID)':<16} {'status':<8} {'P(ICH)':>7}  decision          description")
for s in get("/api/studies")["studies"]:
    p = "-" if s["probability"] is None else f"{s['probability']:.3f}"
    d = {"ich_likely": "ICH likely", "no_ich_flagged": "no ICH flagged", "no_decision": "no decision", None: "-"}.get(s["decision"], s["decision"])
    print(f"…{s['study_instance_uid'][-14:]:<15} {s['status']:<8} {p:>7}  {d:<17} {(s['study_description'] or '')[:50]}")
print("\nWorklist order: flagged first, then probability. \"no decision\": the default model's study calibration rests on too few real studies (4), so it flags nothing and ranks by probability. NOT FOR CLINICAL USE.")
PY
cat <<INFO

HEADS UP service running at $url   (NOT FOR CLINICAL USE)
admin key (shown once): $admin
  worklist:   $url/   (open it in a browser; paste the admin key into the sign-in box and press Enter)
  API:        curl -H "Authorization: Bearer $admin" $url/api/studies
  one study:  curl -H "Authorization: Bearer $admin" $url/api/studies/<StudyInstanceUID>
  DICOMweb:   $url/dicomweb (STOW-RS, QIDO-RS, WADO-RS)    API reference: $url/docs    metrics: $url/metrics
  send more:  /usr/bin/python3 scripts/service/stow.py $url/dicomweb <ingest key> <folder>
data, database and log: $out
INFO
if [ "${HEADSUP_DEMO_EXIT:-0}" = "1" ]; then
  exit 0
fi
echo "Press Ctrl-C to stop the service."
wait "$pid"
