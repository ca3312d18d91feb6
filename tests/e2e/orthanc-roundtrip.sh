#!/usr/bin/env bash
# End-to-end test of the HEADS UP "DIMSE front door" (deploy/orthanc):
#
#   storescu (modality) --C-STORE--> Orthanc --stable study, Lua, STOW-RS--> headsup serve
#   headsup serve --triage, STOW-RS SR (9902) + SC (9901)--> Orthanc --Lua, C-STORE--> storescp (PACS)
#
# Usage: tests/e2e/orthanc-roundtrip.sh <path-to-headsup-binary> [<study dir>]
#   <study dir>: a folder of DICOM files of one study (sent recursively with storescu -xs). Without it,
#   a phantom study is generated with `headsup phantom --seed 3`.
#
# Everything is throwaway: Orthanc, headsup serve and storescp run on 127.0.0.1 with free ports,
# their data in a mktemp folder, and they are stopped by PID on exit. The run is bounded to 6 minutes
# (an internal deadline plus an outer `timeout`). Exit 0 = PASS; 1 = FAIL (logs are tailed);
# 2 = cannot run (missing tool or argument). HEADSUP_E2E_KEEP=1 keeps the temporary folder.
#
# Needs: Orthanc 1.10 + orthanc-dicomweb (apt orthanc orthanc-dicomweb), dcmtk (storescu, findscu,
# storescp, dcmdump), curl, jq, python3.
set -uo pipefail

TOTAL_LIMIT_S=355        # outer hard limit (timeout sends TERM, then KILL 5 s later)
DEADLINE_S=330           # every wait below ends by this many seconds after the start
ORTHANC_STABLE_AGE=3     # StableAge of the test Orthanc (production: 60)
HEADSUP_STABLE_S=2       # headsup serve --stable-seconds

if [[ -z "${HEADSUP_E2E_INNER:-}" ]]; then
  HEADSUP_E2E_INNER=1 exec timeout --kill-after=5 "$TOTAL_LIMIT_S" "$0" "$@"
fi

usage() { echo "usage: $0 <path-to-headsup-binary> [<study dir>]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
BIN=$(readlink -f "$1") || usage
[[ -x "$BIN" ]] || { echo "not an executable: $1" >&2; exit 2; }
STUDY_ARG=${2:-}
if [[ -n "$STUDY_ARG" && ! -d "$STUDY_ARG" ]]; then echo "not a folder: $STUDY_ARG" >&2; exit 2; fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPLOY=$(cd "$HERE/../../deploy/orthanc" && pwd)
DICOMWEB_PLUGIN=${HEADSUP_E2E_DICOMWEB_PLUGIN:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}
for tool in Orthanc storescu findscu storescp dcmdump curl jq python3 timeout; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install orthanc orthanc-dicomweb dcmtk curl jq)" >&2; exit 2; }
done
[[ -f "$DICOMWEB_PLUGIN" ]] || { echo "missing DICOMweb plugin: $DICOMWEB_PLUGIN (apt-get install orthanc-dicomweb)" >&2; exit 2; }
[[ -f "$DEPLOY/orthanc.json" && -f "$DEPLOY/headsup.lua" ]] || { echo "missing $DEPLOY/orthanc.json or headsup.lua" >&2; exit 2; }

T0=$(date +%s.%N)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headsup-e2e.XXXXXX")
ORTHANC_PID= HEADSUP_PID= PACS_PID=
FAILED=0

elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
left() { awk -v a="$T0" -v b="$(date +%s.%N)" -v d="$DEADLINE_S" 'BEGIN { l = d - (b - a); printf "%d", (l < 0 ? 0 : l) }'; }
log() { echo "[$(elapsed)s] $*"; }
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=1; exit 1; }

# Stop one process we started: TERM, wait up to 15 s, then KILL.
stop_pid() {
  local pid=$1 name=$2 i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  echo "$name (pid $pid) did not stop after TERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ $rc -ne 0 || $FAILED -ne 0 ]]; then
    for f in orthanc.log headsup.log storescp.log storescu.log; do
      [[ -s "$WORK/$f" ]] || continue
      echo "----- last lines of $f -----"
      tail -n 40 "$WORK/$f" | cut -c1-400
    done
    echo "----- end of logs -----"
  fi
  stop_pid "$HEADSUP_PID" "headsup serve"
  stop_pid "$ORTHANC_PID" "Orthanc"
  stop_pid "$PACS_PID" "storescp"
  if [[ "${HEADSUP_E2E_KEEP:-0}" == 1 ]]; then
    echo "kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  if [[ $rc -eq 0 && $FAILED -eq 0 ]]; then
    echo "RESULT: PASS in $(elapsed)s"
  else
    echo "RESULT: FAIL after $(elapsed)s"
    [[ $rc -eq 0 ]] && rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted (signal; the 6-minute limit?)"; FAILED=1; exit 1' INT TERM

# Poll "$@" every 0.5 s until it succeeds; return 1 after $1 seconds or at the deadline.
wait_for() {
  local limit=$1 end
  shift
  (( limit > $(left) )) && limit=$(left)
  end=$(( $(date +%s) + limit ))
  while (( $(date +%s) < end )); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  "$@" >/dev/null 2>&1
}

# Bounded HTTP helpers (body on stdout; non-2xx = failure).
orthanc_get() { curl -sS -f --max-time 15 "http://127.0.0.1:$ORTHANC_HTTP$1"; }
headsup_get() { curl -sS -f --max-time 15 -H "Authorization: Bearer $READER_KEY" -H 'Accept: application/dicom+json, application/json' "http://127.0.0.1:$HEADSUP_HTTP$1"; }

# Five free TCP ports on the loopback interface (bound together, so they are distinct).
read -r ORTHANC_HTTP ORTHANC_DICOM HEADSUP_HTTP PACS_DICOM SCU_PORT < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
EOF
)
log "work folder $WORK; ports: Orthanc http $ORTHANC_HTTP dicom $ORTHANC_DICOM, headsup http $HEADSUP_HTTP, pacs dicom $PACS_DICOM"

# ---- the study -----------------------------------------------------------------------------------
if [[ -n "$STUDY_ARG" ]]; then
  STUDY_DIR=$(readlink -f "$STUDY_ARG")
else
  log "generating a phantom study (headsup phantom --studies 1 --seed 3)"
  timeout "$(left)" "$BIN" phantom --out "$WORK/phantom" --studies 1 --seed 3 > "$WORK/phantom.log" 2>&1 \
    || fail "headsup phantom (see $WORK/phantom.log): $(tail -n 3 "$WORK/phantom.log")"
  STUDY_DIR="$WORK/phantom/dicom"
fi
mapfile -t SOURCE_FILES < <(find "$STUDY_DIR" -type f | sort)
(( ${#SOURCE_FILES[@]} > 0 )) || fail "no files in $STUDY_DIR"
STUDY_UID=$(dcmdump -q +P StudyInstanceUID "${SOURCE_FILES[0]}" | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -n 1)
[[ -n "$STUDY_UID" ]] || fail "no StudyInstanceUID in ${SOURCE_FILES[0]}"
log "study $STUDY_UID: ${#SOURCE_FILES[@]} file(s) in $STUDY_DIR"

# ---- headsup serve, with an ingest key (for Orthanc) and a reader key (for the checks) -----------
mkdir -p "$WORK/headsup"
# headsup serve keys create prints the key alone on its last line.
create_key() {
  local role=$1 out="$WORK/key-$1.out"
  timeout 60 "$BIN" serve keys create --data-dir "$WORK/headsup" --role "$role" > "$out" 2>>"$WORK/headsup-keys.log" \
    || { echo "FAIL: headsup serve keys create --role $role failed: $(tail -n 3 "$WORK/headsup-keys.log" "$out")" >&2; return 1; }
  awk 'NF { last = $0 } END { print last }' "$out" | tr -d '[:space:]'
}
INGEST_KEY=$(create_key ingest) || exit 1
READER_KEY=$(create_key reader) || exit 1
[[ -n "$INGEST_KEY" && -n "$READER_KEY" ]] || fail "headsup serve keys create printed no key"
pass "created an ingest key and a reader key"

"$BIN" serve --data-dir "$WORK/headsup" --urls "http://127.0.0.1:$HEADSUP_HTTP" --stable-seconds "$HEADSUP_STABLE_S" \
  --results-to "http://127.0.0.1:$ORTHANC_HTTP/dicom-web/" > "$WORK/headsup.log" 2>&1 &
HEADSUP_PID=$!
headsup_ready() { kill -0 "$HEADSUP_PID" && curl -sf --max-time 5 "http://127.0.0.1:$HEADSUP_HTTP/health/ready"; }
wait_for 120 headsup_ready || fail "headsup serve not ready (GET /health/ready) within 120s$(kill -0 "$HEADSUP_PID" 2>/dev/null || echo '; it exited')"
T_HEADSUP_READY=$(elapsed)
pass "headsup serve is ready (pid $HEADSUP_PID, ${T_HEADSUP_READY}s)"

# ---- the PACS: storescp receives what Orthanc forwards -------------------------------------------
mkdir -p "$WORK/pacs"
storescp -aet PACS -od "$WORK/pacs" "$PACS_DICOM" > "$WORK/storescp.log" 2>&1 &
PACS_PID=$!

# ---- Orthanc: the production configuration, made throwaway ---------------------------------------
mkdir -p "$WORK/orthanc-storage"
python3 - "$DEPLOY/orthanc.json" "$WORK/orthanc.json" <<EOF || fail "cannot derive the Orthanc configuration from $DEPLOY/orthanc.json"
import json, sys

def strip_comments(text):
    # Orthanc's configuration is JSON with // and /* */ comments; strings are kept as they are.
    out, i, n = [], 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == '\\\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif text.startswith('/*', i):
            i = text.index('*/', i + 2) + 2
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)

cfg = json.loads(strip_comments(open(sys.argv[1]).read()))
cfg.update({
    "Name": "HEADSUP-E2E",
    "HttpPort": $ORTHANC_HTTP,
    "DicomPort": $ORTHANC_DICOM,
    "StorageDirectory": "$WORK/orthanc-storage",
    "IndexDirectory": "$WORK/orthanc-storage",
    "MaximumStorageSize": 0,
    "LuaScripts": ["$DEPLOY/headsup.lua"],
    "Plugins": ["$DICOMWEB_PLUGIN"],
    "StableAge": $ORTHANC_STABLE_AGE,
    "RemoteAccessAllowed": False,
    "AuthenticationEnabled": False,
    "SaveJobs": False,
})
# The storescu/findscu of this test plays the modality; storescp plays the PACS.
cfg["DicomModalities"] = {
    "e2e": {"AET": "E2ESCU", "Host": "127.0.0.1", "Port": $SCU_PORT,
            "AllowStore": True, "AllowFind": True, "AllowEcho": True, "AllowGet": False, "AllowMove": False},
    "pacs": {"AET": "PACS", "Host": "127.0.0.1", "Port": $PACS_DICOM,
             "AllowStore": False, "AllowFind": False, "AllowEcho": True, "AllowGet": False, "AllowMove": False},
}
# Same server entry as production (Bearer \${HEADSUP_INGEST_KEY} from the environment), other URL.
cfg["DicomWeb"]["Servers"]["headsup"]["Url"] = "http://127.0.0.1:$HEADSUP_HTTP/dicomweb/"
cfg["HeadsUp"]["ForwardResultsTo"] = "pacs"
json.dump(cfg, open(sys.argv[2], "w"), indent=2)
EOF

HEADSUP_INGEST_KEY="$INGEST_KEY" Orthanc "$WORK/orthanc.json" > "$WORK/orthanc.log" 2>&1 &
ORTHANC_PID=$!
orthanc_up() { kill -0 "$ORTHANC_PID" && orthanc_get /system; }
wait_for 60 orthanc_up || fail "Orthanc not up (GET /system) within 60s$(kill -0 "$ORTHANC_PID" 2>/dev/null || echo '; it exited')"
pass "Orthanc $(orthanc_get /system | jq -r .Version) is up (pid $ORTHANC_PID, ${ORTHANC_STABLE_AGE}s StableAge)"

orthanc_get /plugins | jq -e 'index("dicom-web")' >/dev/null || fail "the DICOMweb plugin is not loaded: $(orthanc_get /plugins | tr -d '\n ')"
SERVER_URL=$(orthanc_get '/dicom-web/servers?expand' | jq -r '.headsup.Url // empty')
[[ "$SERVER_URL" == "http://127.0.0.1:$HEADSUP_HTTP/dicomweb/" ]] || fail "DICOMweb server 'headsup' not registered as expected: $(orthanc_get '/dicom-web/servers?expand' | tr -d '\n\t ')"
grep -q 'HEADS UP: routing loaded' "$WORK/orthanc.log" || fail "headsup.lua did not load (no 'routing loaded' in the Orthanc log)"
! grep -q 'HEADS UP: ERROR' "$WORK/orthanc.log" || fail "headsup.lua reports: $(grep 'HEADS UP: ERROR' "$WORK/orthanc.log" | head -n 1 | sed 's/.*HEADS UP: //')"
pass "DICOMweb plugin loaded, server 'headsup' -> $SERVER_URL, headsup.lua loaded"

# ---- the modality sends the study ----------------------------------------------------------------
T_SEND=$(elapsed)
timeout "$(( $(left) < 180 ? $(left) : 180 ))" storescu -xs -aet E2ESCU -aec HEADSUP -ta 30 -td 60 -to 30 +sd +r \
  127.0.0.1 "$ORTHANC_DICOM" "$STUDY_DIR" > "$WORK/storescu.log" 2>&1 \
  || fail "storescu -xs into Orthanc failed (rc $?): $(grep -E '^[EF]:' "$WORK/storescu.log" | head -n 3)"
T_SENT=$(elapsed)
ORTHANC_STUDY=$(curl -sS -f --max-time 15 -X POST -d "$STUDY_UID" "http://127.0.0.1:$ORTHANC_HTTP/tools/lookup" | jq -r '.[] | select(.Type == "Study") | .ID')
[[ -n "$ORTHANC_STUDY" ]] || fail "Orthanc has no study $STUDY_UID after storescu"
N_STORED=$(orthanc_get "/studies/$ORTHANC_STUDY/instances" | jq length)
[[ "$N_STORED" == "${#SOURCE_FILES[@]}" ]] || fail "Orthanc holds $N_STORED instance(s) of the study, storescu sent ${#SOURCE_FILES[@]} file(s)"
pass "storescu -xs: Orthanc stored all $N_STORED instance(s) in $(awk -v a="$T_SEND" -v b="$T_SENT" 'BEGIN { printf "%.1f", b - a }')s (Orthanc study $ORTHANC_STUDY)"

# ---- Orthanc STOWs the stable study to headsup; headsup triages it -------------------------------
stow_logged() { grep -q "HEADS UP: job .* delivered [0-9]* instance(s) of study $ORTHANC_STUDY" "$WORK/orthanc.log"; }
wait_for 90 stow_logged || fail "no successful Lua STOW of the stable study to headsup within 90s: $(grep 'HEADS UP:' "$WORK/orthanc.log" | tail -n 3 | cut -c1-300)"
T_STOWED=$(elapsed)
N_DELIVERED=$(grep -o "delivered [0-9]* instance(s) of study $ORTHANC_STUDY" "$WORK/orthanc.log" | head -n 1 | awk '{ print $2 }')
[[ "$N_DELIVERED" == "$N_STORED" ]] || fail "the Lua STOW delivered $N_DELIVERED instance(s), Orthanc holds $N_STORED"
pass "OnStableStudy -> STOW of $N_DELIVERED instance(s) to headsup done at ${T_STOWED}s"

triage_status() { headsup_get "/api/studies/$STUDY_UID" | jq -r '.status // empty'; }
triage_finished() { local s; s=$(triage_status); [[ "$s" == done || "$s" == failed ]]; }
wait_for 240 triage_finished || fail "headsup triage of $STUDY_UID not finished within 240s: GET /api/studies/{uid} -> $(headsup_get "/api/studies/$STUDY_UID" 2>&1 | tr -d '\n' | cut -c1-300)"
T_DONE=$(elapsed)
RESULT=$(headsup_get "/api/studies/$STUDY_UID")
[[ "$(jq -r .status <<<"$RESULT")" == done ]] || fail "headsup triage status: $(tr -d '\n' <<<"$RESULT")"
VERSION=$(jq -r '.version' <<<"$RESULT")
pass "headsup triage done at ${T_DONE}s: probability $(jq -r .probability <<<"$RESULT"), positive $(jq -r .positive <<<"$RESULT"), version $VERSION"

# ---- the SR and SC series come back into the same study in Orthanc -------------------------------
# HEADS UP output series in Orthanc: "SeriesInstanceUID Modality SeriesNumber count" lines.
orthanc_outputs() {
  orthanc_get "/studies/$ORTHANC_STUDY/series" | jq -r '.[] | select(.MainDicomTags.SeriesNumber == "9901" or .MainDicomTags.SeriesNumber == "9902")
    | "\(.MainDicomTags.SeriesInstanceUID) \(.MainDicomTags.Modality) \(.MainDicomTags.SeriesNumber) \(.Instances | length)"' | sort
}
# The same from headsup's QIDO-RS, instances counted per series.
headsup_outputs() {
  local series uid number modality n
  series=$(headsup_get "/dicomweb/studies/$STUDY_UID/series") || return 1
  while read -r uid number modality; do
    n=$(headsup_get "/dicomweb/studies/$STUDY_UID/series/$uid/instances" | jq length) || return 1
    echo "$uid $modality $number $n"
  done < <(jq -r '.[] | select((.["00200011"].Value[0] // 0 | tonumber? // 0) as $n | $n == 9901 or $n == 9902)
    | "\(.["0020000E"].Value[0]) \(.["00200011"].Value[0]) \(.["00080060"].Value[0])"' <<<"$series")
}
headsup_outputs > "$WORK/headsup-outputs.txt" || fail "QIDO-RS on headsup failed: GET /dicomweb/studies/$STUDY_UID/series"
sort -o "$WORK/headsup-outputs.txt" "$WORK/headsup-outputs.txt"
grep -q ' SR 9902 ' "$WORK/headsup-outputs.txt" || fail "headsup QIDO lists no SR series 9902: $(cat "$WORK/headsup-outputs.txt")"
grep -q ' OT 9901 ' "$WORK/headsup-outputs.txt" || log "note: headsup QIDO lists no Secondary Capture series 9901 (no key slice?)"
N_PRODUCED=$(awk '{ s += $4 } END { print s + 0 }' "$WORK/headsup-outputs.txt")
all_outputs_in_orthanc() { [[ "$(orthanc_outputs)" == "$(cat "$WORK/headsup-outputs.txt")" ]]; }
wait_for 60 all_outputs_in_orthanc \
  || fail "HEADS UP outputs in Orthanc: $(orthanc_outputs | tr '\n' ';') headsup QIDO: $(tr '\n' ';' < "$WORK/headsup-outputs.txt") (series UID, modality, number, instances)"
T_BACK=$(elapsed)
while read -r uid modality number n; do
  pass "Orthanc REST: series $number ($modality, $uid) in study $STUDY_UID with $n instance(s), as headsup's QIDO reports"
done < "$WORK/headsup-outputs.txt"
pass "Orthanc accepted all $N_PRODUCED HEADS UP instance(s) at ${T_BACK}s"

# C-FIND at SERIES level against Orthanc's DICOM port.
mkdir -p "$WORK/findscu"
timeout 60 findscu -S -aet E2ESCU -aec HEADSUP -to 30 -ta 30 -td 30 -X -od "$WORK/findscu" \
  -k QueryRetrieveLevel=SERIES -k "StudyInstanceUID=$STUDY_UID" -k SeriesInstanceUID -k Modality -k SeriesNumber \
  -k NumberOfSeriesRelatedInstances 127.0.0.1 "$ORTHANC_DICOM" > "$WORK/findscu.log" 2>&1 \
  || fail "findscu against Orthanc failed: $(tail -n 3 "$WORK/findscu.log")"
tag() { dcmdump -q +P "$2" "$1" | sed -n 's/.*\[\(.*\)\].*/\1/p' | head -n 1; }
: > "$WORK/findscu-outputs.txt"
for rsp in "$WORK"/findscu/rsp*.dcm; do
  [[ -f "$rsp" ]] || continue
  number=$(tag "$rsp" SeriesNumber)
  [[ "$number" == 9901 || "$number" == 9902 ]] || continue
  echo "$(tag "$rsp" SeriesInstanceUID) $(tag "$rsp" Modality) $number $(tag "$rsp" NumberOfSeriesRelatedInstances)" >> "$WORK/findscu-outputs.txt"
done
sort -o "$WORK/findscu-outputs.txt" "$WORK/findscu-outputs.txt"
diff -q "$WORK/findscu-outputs.txt" "$WORK/headsup-outputs.txt" >/dev/null \
  || fail "findscu (SERIES level) sees: $(tr '\n' ';' < "$WORK/findscu-outputs.txt") headsup QIDO: $(tr '\n' ';' < "$WORK/headsup-outputs.txt")"
pass "findscu SERIES level, StudyInstanceUID=$STUDY_UID: $(awk '{ printf "%s%s %s (%s instance(s))", (NR > 1 ? ", " : ""), $2, $3, $4 }' "$WORK/findscu-outputs.txt")"

# ---- Orthanc forwards the HEADS UP outputs to the PACS -------------------------------------------
pacs_count() { find "$WORK/pacs" -type f | wc -l; }
pacs_has_all() { [[ "$(pacs_count)" -ge "$N_PRODUCED" ]]; }
wait_for 60 pacs_has_all || fail "the PACS (storescp) received $(pacs_count) of the $N_PRODUCED HEADS UP instance(s) within 60s"
N_PACS=$(pacs_count)
[[ "$N_PACS" == "$N_PRODUCED" ]] || fail "the PACS received $N_PACS instance(s), expected the $N_PRODUCED HEADS UP ones only"
for f in "$WORK"/pacs/*; do
  number=$(tag "$f" SeriesNumber)
  [[ "$number" == 9901 || "$number" == 9902 ]] || fail "the PACS received a non-HEADS UP instance (series $number): $f"
  [[ "$(tag "$f" StudyInstanceUID)" == "$STUDY_UID" ]] || fail "the PACS received an instance of another study: $f"
done
pass "Orthanc forwarded exactly the $N_PACS HEADS UP instance(s) to the PACS (storescp)"

# ---- the loop settles: the study is stable again, nothing is re-sent, no second result -----------
settled() { grep -q "HEADS UP: study $ORTHANC_STUDY .* is stable, nothing new to send" "$WORK/orthanc.log"; }
stows() { grep -c "HEADS UP: study $ORTHANC_STUDY .* is stable: STOW of" "$WORK/orthanc.log"; }
wait_for $(( ORTHANC_STABLE_AGE + 30 )) settled \
  || fail "the study was not left alone after the results came back: Orthanc STOWed it to headsup $(stows) time(s) and never logged 'nothing new to send'; headsup: $(headsup_get "/api/studies/$STUDY_UID" | tr -d '\n')"
sleep $(( HEADSUP_STABLE_S + 5 ))
N_STOWS=$(stows)
[[ "$N_STOWS" == 1 ]] || fail "Orthanc STOWed the study to headsup $N_STOWS times: $(grep "HEADS UP: study $ORTHANC_STUDY" "$WORK/orthanc.log" | cut -c1-300)"
grep "HEADS UP: study $ORTHANC_STUDY .* nothing new to send" "$WORK/orthanc.log" | head -n 1 | sed 's/.*HEADS UP: /  orthanc: /'
RESULT2=$(headsup_get "/api/studies/$STUDY_UID") || fail "GET /api/studies/$STUDY_UID after settling"
[[ "$(jq -r .status <<<"$RESULT2")" == done && "$(jq -r .version <<<"$RESULT2")" == "$VERSION" && "$VERSION" == 1 ]] \
  || fail "after the loop settled, headsup reports $(tr -d '\n' <<<"$RESULT2") (expected status done, version 1)"
[[ "$(orthanc_outputs)" == "$(cat "$WORK/headsup-outputs.txt")" ]] || fail "HEADS UP series in Orthanc changed after settling: $(orthanc_outputs | tr '\n' ';')"
[[ "$(pacs_count)" == "$N_PACS" ]] || fail "the PACS received more instances after settling: $(pacs_count)"
! grep -q 'HEADS UP: ERROR' "$WORK/orthanc.log" || fail "headsup.lua reports: $(grep 'HEADS UP: ERROR' "$WORK/orthanc.log" | head -n 3 | sed 's/.*HEADS UP: //')"
pass "loop settled at $(elapsed)s: one STOW to headsup, the second stable event sent nothing, result version stays 1"

echo "TIMINGS: headsup ready ${T_HEADSUP_READY}s; storescu ${T_SEND}s -> ${T_SENT}s; STOW to headsup done ${T_STOWED}s; triage done ${T_DONE}s; SR/SC in Orthanc ${T_BACK}s; (storescu end -> results in Orthanc: $(awk -v a="$T_SENT" -v b="$T_BACK" 'BEGIN { printf "%.1f", b - a }')s, of which ${ORTHANC_STABLE_AGE}s StableAge + ${HEADSUP_STABLE_S}s headsup stable-seconds)"
exit 0
