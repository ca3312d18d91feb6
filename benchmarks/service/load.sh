#!/usr/bin/env bash
# Load benchmark of the triage service (issue 10): throwaway `headsup serve` instances (embedded SQLite mode) on
# 127.0.0.1 are fed phantom studies by concurrent STOW-RS clients while they triage; reports intake instances/s, the
# time from a study's last instance to its result (minus the stable wait) in the burst and with an empty queue, worker
# studies/min, peak memory, lost/failed studies and one SR per study, next to the issue's goals. A benchmark, not a test.
#
# usage: benchmarks/service/load.sh [--studies 40] [--slices N] [--clients 8] [--workers 1] [--batch 8]
#                                   [--stable-seconds 3] [--probes 3] [--seed 11] [--timeout 1200]
#                                   [--out out/bench-service] [--build] [--keep]
#   --slices N   at most N slices per study (the middle N). `headsup phantom` has no slice-count option: it writes
#                24–40 slices per study (uniform, mean 32), so the default sends every slice it wrote.
#   --workers K  K > 1 runs two rounds, `--workers 1` and `--workers K`, each on a fresh service, to compare studies/min.
#   --batch B    instances per STOW-RS request (0: one request per study).
#   --probes P   studies sent one at a time after the burst has drained (empty-queue latency).
#   --build      rebuild the tool first (otherwise an existing Release build is used).
#   --keep       keep the services' data folders (under --out) instead of deleting them.
# Writes --out/summary.{txt,json}, round-w<K>.json, service-w<K>.log (+ load.png when matplotlib is installed).
# Research software: NOT FOR CLINICAL USE.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
py=/usr/bin/python3
here=benchmarks/service
studies=40 slices=0 clients=8 workers=1 batch=8 stable=3 probes=3 seed=11 timeout_s=1200 out=out/bench-service build=0 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --studies) studies=$2; shift 2 ;;
    --slices) slices=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --stable-seconds) stable=$2; shift 2 ;;
    --probes) probes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in studies slices clients workers batch probes seed timeout_s; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "--${v%_s} must be a whole number" >&2; exit 2; }
done
[ "$studies" -ge 1 ] && [ "$clients" -ge 1 ] && [ "$workers" -ge 1 ] || { echo "--studies, --clients, --workers must be ≥ 1" >&2; exit 2; }
[ "$slices" -eq 0 ] || [ "$slices" -ge 4 ] || { echo "--slices must be ≥ 4 (or 0: all)" >&2; exit 2; }

dll=src/Headsup.Cli/bin/Release/net10.0/linux-x64/headsup.dll
if [ "$build" = 1 ] || [ ! -f "$dll" ]; then
  echo "== building headsup (Release)"
  dotnet build src/Headsup.Cli -c Release -nologo -v q
  dotnet build-server shutdown > /dev/null 2>&1 || true
fi
headsup=(dotnet "$dll")
t_start=$(date +%s)
deadline=$((t_start + timeout_s))
left() { local l=$((deadline - $(date +%s))); [ "$l" -gt 0 ] && echo "$l" || echo 1; }
mkdir -p "$out"

# ---- phantoms (cached in --out by seed and count; the probes are the last studies)
need=$((studies + probes))
ph="$out/phantoms-s$seed-n$need"
if [ ! -f "$ph/labels.csv" ] || [ ! -f "$ph/.complete" ]; then
  rm -rf "$ph"
  echo "== generating $need phantom studies (seed $seed) into $ph"
  timeout "$(left)" "${headsup[@]}" phantom --out "$ph" --studies "$need" --seed "$seed" > "$out/phantom.log"
  touch "$ph/.complete"
else
  echo "== reusing $ph"
fi

# ---- one round per worker count, each on a fresh service and data folder
pid="" datadir=""
stop_service() {
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done   # ≤ 75 s (shutdown waits ≤ 60 s for a job)
    if kill -0 "$pid" 2>/dev/null; then echo "warning: service $pid ignored SIGTERM for 75 s; SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
  pid=""
}
cleanup() {
  stop_service
  if [ -n "$datadir" ] && [ "$keep" = 0 ]; then rm -rf "$datadir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rounds=(1)
[ "$workers" -gt 1 ] && rounds+=("$workers")
round_files=()
for k in "${rounds[@]}"; do
  [ "$(left)" -gt 60 ] || { echo "error: overall timeout ($timeout_s s) reached before the $k-worker round; summarising what ran" >&2; break; }
  datadir=$(mktemp -d "$out/data-w$k.XXXXXX")
  port=$($py -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  url="http://127.0.0.1:$port"
  ingest=$(timeout 120 "${headsup[@]}" serve keys create --data-dir "$datadir" --role ingest --label "load sender" | tail -n 1)
  reader=$(timeout 120 "${headsup[@]}" serve keys create --data-dir "$datadir" --role reader --label "load reader" | tail -n 1)
  log="$out/service-w$k.log"
  echo "== round: $k worker(s) — service at $url (data $datadir, log $log)"
  "${headsup[@]}" serve --data-dir "$datadir" --urls "$url" --stable-seconds "$stable" --workers "$k" > "$log" 2>&1 &
  pid=$!
  ready=0
  for _ in $(seq 1 240); do   # ≤ 120 s
    if ! kill -0 "$pid" 2>/dev/null; then echo "error: the service exited; its log:" >&2; tail -n 30 "$log" >&2; exit 1; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/health/ready")" = 200 ]; then ready=1; break; fi
    sleep 0.5
  done
  [ "$ready" = 1 ] || { echo "error: /health/ready not 200 within 120 s; log:" >&2; tail -n 30 "$log" >&2; exit 1; }
  grep -q "serve" "/proc/$pid/cmdline" || { echo "error: PID $pid is not the service" >&2; exit 1; }
  rf="$out/round-w$k.json"
  timeout "$(( $(left) + 30 ))" $py $here/load.py round --url "$url" --ingest "$ingest" --reader "$reader" --pid "$pid" \
    --phantoms "$ph" --studies "$studies" --probes "$probes" --clients "$clients" --batch "$batch" --slices "$slices" \
    --stable "$stable" --workers "$k" --deadline "$deadline" --out "$rf"
  round_files+=("$rf")
  stop_service
  # the service log: every warn/fail/crit entry and exception line except the data-protection notice of a fresh folder
  bad=$(grep -nE '^(warn|fail|crit):|Exception' "$log" | grep -v 'DataProtection.KeyManagement.XmlKeyManager' || true)
  if [ -n "$bad" ]; then echo "   service log $log has warnings/errors:"; echo "$bad" | head -n 20 | sed 's/^/     /'; else echo "   service log: no warnings or errors"; fi
  [ "$keep" = 1 ] || rm -rf "$datadir"
  datadir=""
done

[ "${#round_files[@]}" -gt 0 ] || { echo "error: no round ran" >&2; exit 1; }
echo
$py $here/load.py summary --out "$out" "${round_files[@]}"
echo "benchmark wall time: $(( $(date +%s) - t_start )) s (phantoms included)"
