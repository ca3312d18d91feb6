#!/usr/bin/python3
"""Load benchmark helper for `headsup serve` (driven by benchmarks/service/load.sh; standard library only).

  load.py round   --url URL --ingest KEY --reader KEY --pid PID --phantoms DIR --studies N --probes P
                  --clients C --batch B --slices CAP --stable S --workers K --deadline EPOCH --out FILE.json
  load.py summary --out DIR ROUND.json...

`round` drives one running service: phase A sends N phantom studies from C concurrent STOW-RS clients (threads), waits
for every study to be done/failed, checks one SR per study, then sends P probe studies one at a time into the empty
queue; it samples the service's RSS every 0.5 s and reads VmHWM at the end. `summary` prints the table and writes
summary.json (+ a PNG when matplotlib is installed). Every wait is bounded by --deadline. Only 127.0.0.1 is contacted.
"""
import argparse, csv, datetime, http.client, json, os, statistics, sys, threading, time, urllib.parse, uuid
from collections import OrderedDict

GOALS = {"intake_instances_per_s": 300.0, "empty_queue_latency_s": 3.0, "lost": 0}


# ----------------------------------------------------------------------------------------------------------- helpers
def iso_s(text):
    """Server ISO time (yyyy-MM-ddTHH:mm:ss.fffZ) → epoch seconds."""
    if text is None:
        return None
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def pct(values, q):
    """Percentile with linear interpolation (q in 0..100); None for no values."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    k = (len(v) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Api:
    """One keep-alive HTTP/1.1 connection to the service on 127.0.0.1."""

    def __init__(self, url, key, timeout=120):
        u = urllib.parse.urlparse(url)
        if u.hostname != "127.0.0.1" or u.scheme != "http":
            raise SystemExit(f"refusing {url}: this benchmark only talks to http://127.0.0.1")
        self.host, self.port, self.key, self.timeout = u.hostname, u.port, key, timeout
        self.conn = None
        self.reconnects = 0

    def request(self, method, path, body=None, headers=None):
        """Returns (status, headers dict, payload bytes). A dropped keep-alive connection is reopened and the request
        sent once more (safe here: a STOW of an instance already stored is a duplicate and changes nothing)."""
        h = {"Authorization": f"Bearer {self.key}"}
        h.update(headers or {})
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, path, body, h)
                r = self.conn.getresponse()
                payload = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, dict(r.getheaders()), payload
            except (http.client.HTTPException, ConnectionError, OSError) as e:
                self.close()
                if attempt == 2:
                    raise
                self.reconnects += 1
                log(f"  connection problem on {method} {path.split('?')[0]}: {type(e).__name__}: {e}; reconnecting once")

    def json(self, path):
        status, _, payload = self.request("GET", path, headers={"Accept": "application/json"})
        if status == 204 or not payload:
            return status, None
        try:
            return status, json.loads(payload)
        except ValueError:
            return status, {"_raw": payload[:500].decode("utf-8", "replace")}

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


def stow(api, study_uid, files):
    """One STOW-RS request with these files. Returns a record of what happened."""
    boundary = "bench-" + uuid.uuid4().hex
    parts = []
    for f in files:
        with open(f, "rb") as fh:
            parts.append(f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + fh.read() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    t0 = time.time()
    rec = {"study": study_uid, "instances": len(files), "bytes": len(body), "start": t0}
    try:
        status, _, payload = api.request("POST", f"/dicomweb/studies/{study_uid}", body, {
            "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
            "Accept": "application/dicom+json"})
    except Exception as e:  # noqa: BLE001 — recorded and reported, never hidden
        rec.update(end=time.time(), status=None, stored=0, failed=len(files), error=f"{type(e).__name__}: {e}")
        return rec
    rec.update(end=time.time(), status=status, stored=0, failed=0)
    try:
        doc = json.loads(payload)
        rec["stored"] = len(doc.get("00081199", {}).get("Value", []))
        rec["failed"] = len(doc.get("00081198", {}).get("Value", []))
    except (ValueError, AttributeError):
        pass
    if status != 200:
        rec["error"] = payload[:1000].decode("utf-8", "replace")
    return rec


def load_studies(phantoms, cap):
    """labels.csv (rows in slice order) → OrderedDict study_uid → list of files; cap > 0 keeps the middle `cap` slices."""
    studies = OrderedDict()
    with open(os.path.join(phantoms, "labels.csv"), newline="") as fh:
        for row in csv.DictReader(fh):
            studies.setdefault(row["study_id"], []).append(os.path.join(phantoms, row["file"]))
    if cap > 0:
        for uid, files in studies.items():
            if len(files) > cap:
                lo = (len(files) - cap) // 2
                studies[uid] = files[lo:lo + cap]
    return studies


class MemorySampler(threading.Thread):
    """VmRSS of the service process every 0.5 s; notes when the process is gone."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop, self.gone = pid, [], threading.Event(), None

    @staticmethod
    def read(pid):
        out = {}
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:", "Threads:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
        return out

    def run(self):
        while not self.stop.is_set():
            try:
                s = self.read(self.pid)
                self.samples.append((time.time(), s.get("VmRSS", 0) / 1024.0))
            except OSError:
                self.gone = time.time()
                return
            self.stop.wait(0.5)


# ------------------------------------------------------------------------------------------------------------- round
def study_record(api, uid, stable, sent):
    """GET /api/studies/{uid} and the SR series; the latency pieces from the server's times (same host clock)."""
    status, d = api.json(f"/api/studies/{uid}")
    rec = {"study": uid, "http": status, "status": (d or {}).get("status"), "error": (d or {}).get("error")}
    if status != 200 or not d:
        rec["body"] = d
        return rec
    versions = d.get("versions") or []
    cur = next((v for v in versions if v.get("current")), versions[-1] if versions else None)
    rec.update(versions=len(versions), received_instances=d.get("received_instances"),
               probability=d.get("probability"), decision=d.get("decision"),
               last_received=iso_s(d.get("last_received")), first_received=iso_s(d.get("first_received")))
    if cur:
        rec.update(version=cur.get("version"), attempts=cur.get("attempts"), job_status=cur.get("status"),
                   created=iso_s(cur.get("created")), started=iso_s(cur.get("started")),
                   finished=iso_s(cur.get("finished")), version_error=cur.get("error"))
    if rec.get("finished") and rec.get("last_received"):
        rec["latency_after_stable_s"] = rec["finished"] - rec["last_received"] - stable        # server clock only
        rec["monitor_lag_s"] = rec["created"] - rec["last_received"] - stable                 # stability poll
        rec["queue_wait_s"] = rec["started"] - rec["created"] if rec.get("started") else None
        rec["job_run_s"] = rec["finished"] - rec["started"] if rec.get("started") else None
    if rec.get("finished") and sent.get(uid):
        rec["last_send_complete"] = sent[uid]
        rec["latency_after_stable_client_s"] = rec["finished"] - sent[uid] - stable             # client's last 200
    s2, series = api.json(f"/dicomweb/studies/{uid}/series?Modality=SR")
    rec["sr_http"] = s2
    rec["sr_series"] = len(series) if isinstance(series, list) else (0 if s2 == 204 else None)
    return rec


def run_round(a):
    deadline = a.deadline
    studies = load_studies(a.phantoms, a.slices)
    uids = list(studies)
    if len(uids) < a.studies + a.probes:
        raise SystemExit(f"{a.phantoms} holds {len(uids)} studies; {a.studies}+{a.probes} needed")
    burst, probes = uids[:a.studies], uids[a.studies:a.studies + a.probes]
    n_inst = sum(len(studies[u]) for u in burst)
    counts = [len(studies[u]) for u in burst]
    mode = "one request per study" if a.batch <= 0 else f"batches of {a.batch} instances"
    log(f"round: {a.workers} worker(s); {len(burst)} studies, {n_inst} instances ({min(counts)}–{max(counts)} per study), "
        f"{a.clients} clients, {mode}, stable {a.stable:g} s, {len(probes)} empty-queue probe(s)")

    mem = MemorySampler(a.pid)
    mem.start()
    marks = {}
    load_start = open("/proc/loadavg").read().split()[:3]

    def batches(files):
        if a.batch <= 0:
            return [files]
        return [files[i:i + a.batch] for i in range(0, len(files), a.batch)]

    # ---- phase A: concurrent intake while the worker(s) triage whatever has become stable
    requests, sent, lock = [], {}, threading.Lock()
    reconnects = [0]

    def client(i):
        api = Api(a.url, a.ingest)
        for uid in burst[i::a.clients]:
            for b in batches(studies[uid]):
                if time.time() > deadline:
                    with lock:
                        requests.append({"study": uid, "instances": len(b), "status": None, "stored": 0,
                                         "failed": len(b), "error": "not sent: overall deadline", "start": time.time(), "end": time.time(), "bytes": 0})
                    continue
                r = stow(api, uid, b)
                with lock:
                    requests.append(r)
            sent[uid] = time.time()  # the study's last instance has been answered
        with lock:
            reconnects[0] += api.reconnects
        api.close()

    marks["intake_start"] = time.time()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.time()))
    marks["intake_end"] = time.time()
    if any(t.is_alive() for t in threads):
        log("error: intake clients still running at the deadline")
    first = min(r["start"] for r in requests)
    last = max(r["end"] for r in requests)
    stored = sum(r["stored"] for r in requests)
    refused = sum(r["failed"] for r in requests)
    bad = [r for r in requests if r["status"] != 200]
    intake_wall = last - first
    log(f"intake: {stored} instances stored, {refused} refused, {len(requests)} requests ({len(bad)} not 200) "
        f"in {intake_wall:.2f} s → {stored / intake_wall:.1f} instances/s, "
        f"{sum(r['bytes'] for r in requests) / intake_wall / 1e6:.1f} MB/s")
    for r in bad[:5]:
        log(f"  STOW {r['study'][-12:]}: HTTP {r['status']} {r.get('error', '')[:300]}")

    # ---- wait for every burst study: the worklist once a second (one audited read), then each study's detail once
    reader = Api(a.url, a.reader)
    finished_seen, polls, last_report = {}, 0, 0.0
    want = set(burst)
    while want - set(finished_seen) and time.time() < deadline:
        if mem.gone:
            log("error: the service process is gone")
            break
        try:
            st, doc = reader.json("/api/studies?limit=1000")
        except Exception as e:  # noqa: BLE001
            log(f"  worklist poll failed: {type(e).__name__}: {e}")
            st, doc = None, None
        polls += 1
        if st == 200 and doc:
            for s in doc.get("studies", []):
                if s["study_instance_uid"] in want and s["status"] in ("done", "failed") and s["study_instance_uid"] not in finished_seen:
                    finished_seen[s["study_instance_uid"]] = time.time()
        elif st is not None:
            log(f"  worklist poll: HTTP {st} {str(doc)[:300]}")
        if time.time() - last_report > 10:
            log(f"  {len(finished_seen)}/{len(want)} studies finished")
            last_report = time.time()
        time.sleep(1.0)
    marks["burst_done"] = time.time()
    log(f"burst: {len(finished_seen)}/{len(want)} finished after {marks['burst_done'] - marks['intake_start']:.1f} s")
    records = [study_record(reader, u, a.stable, sent) for u in burst]
    for r in records:
        r["done_seen"] = finished_seen.get(r["study"])

    # ---- empty-queue latency: one study at a time, alone
    probe_records = []
    for uid in probes:
        if time.time() > deadline - 30:
            log("skipping the remaining probes: overall deadline near")
            break
        api = Api(a.url, a.ingest)
        for b in batches(studies[uid]):
            r = stow(api, uid, b)
            requests.append(dict(r, probe=True))
        api.close()
        sent[uid] = time.time()
        seen = None
        limit = min(deadline, time.time() + a.stable + 120)
        while time.time() < limit:
            st, d = reader.json(f"/api/studies/{uid}")
            if st == 200 and d and d.get("status") in ("done", "failed"):
                seen = time.time()
                break
            time.sleep(0.1)
        rec = study_record(reader, uid, a.stable, sent)
        rec["done_seen"] = seen
        if seen:
            rec["latency_after_stable_observed_s"] = seen - sent[uid] - a.stable
        probe_records.append(rec)
        log(f"probe {uid[-12:]}: {rec.get('status')}, last instance → result − stable = "
            f"{rec.get('latency_after_stable_s', float('nan')):.2f} s (server clock; monitor lag "
            f"{rec.get('monitor_lag_s', float('nan')):.2f} s, queue {rec.get('queue_wait_s') or 0:.2f} s, "
            f"job {rec.get('job_run_s') or 0:.2f} s)")

    # ---- the service's own counters and peak memory
    metrics = {}
    try:
        st, _, payload = reader.request("GET", "/metrics")
        for line in payload.decode("utf-8", "replace").splitlines():
            if line.startswith("headsup_") and "_bucket{" not in line:
                k, _, v = line.rpartition(" ")
                metrics[k] = float(v)
    except Exception as e:  # noqa: BLE001
        metrics["_error"] = f"{type(e).__name__}: {e}"
    reader.close()
    mem.stop.set()
    mem.join(2)
    try:
        status = MemorySampler.read(a.pid)
    except OSError:
        status = {}

    done = [r for r in records if r.get("status") == "done"]
    failed = [r for r in records if r.get("status") == "failed"]
    starts = [r["started"] for r in done if r.get("started")]
    ends = [r["finished"] for r in done if r.get("finished")]
    window = (max(ends) - min(starts)) if starts and ends else None
    runs = [r["job_run_s"] for r in done if r.get("job_run_s") is not None]
    all_recs = records + probe_records
    result = {
        "workers": a.workers, "clients": a.clients, "batch": a.batch, "mode": mode, "stable_seconds": a.stable,
        "slices_cap": a.slices, "studies": len(burst), "instances": n_inst, "slices_min": min(counts), "slices_max": max(counts),
        "slices_mean": statistics.mean(counts),
        "intake": {"wall_s": intake_wall, "instances_stored": stored, "instances_refused": refused,
                   "instances_per_s": stored / intake_wall if intake_wall > 0 else None,
                   "mb_per_s": sum(r["bytes"] for r in requests if not r.get("probe")) / intake_wall / 1e6,
                   "requests": len([r for r in requests if not r.get("probe")]), "requests_not_200": len(bad),
                   "request_p50_ms": 1000 * pct([r["end"] - r["start"] for r in requests if not r.get("probe")], 50),
                   "request_p95_ms": 1000 * pct([r["end"] - r["start"] for r in requests if not r.get("probe")], 95),
                   "reconnects": reconnects[0],
                   "errors": [{k: r.get(k) for k in ("study", "status", "error")} for r in requests if r["status"] != 200][:20]},
        "burst": {
            "done": len(done), "failed": len(failed), "lost": len(burst) - len(done),
            "latency_after_stable_s": {"p50": pct([r.get("latency_after_stable_s") for r in done], 50),
                                       "p95": pct([r.get("latency_after_stable_s") for r in done], 95),
                                       "max": pct([r.get("latency_after_stable_s") for r in done], 100)},
            "latency_after_stable_client_s": {"p50": pct([r.get("latency_after_stable_client_s") for r in done], 50),
                                              "p95": pct([r.get("latency_after_stable_client_s") for r in done], 95)},
            "monitor_lag_s": {"p50": pct([r.get("monitor_lag_s") for r in done], 50), "p95": pct([r.get("monitor_lag_s") for r in done], 95)},
            "queue_wait_s": {"p50": pct([r.get("queue_wait_s") for r in done], 50), "p95": pct([r.get("queue_wait_s") for r in done], 95)},
            "job_run_s": {"p50": pct(runs, 50), "p95": pct(runs, 95), "mean": statistics.mean(runs) if runs else None},
            "first_job_start_to_last_finish_s": window,
            "studies_per_min": len(done) / window * 60 if window else None,
            "busy_fraction": (sum(runs) / (a.workers * window)) if window and runs else None,
            "worklist_polls": polls,
        },
        "empty_queue": {
            "probes": len(probe_records),
            "done": len([r for r in probe_records if r.get("status") == "done"]),
            "latency_after_stable_s": [r.get("latency_after_stable_s") for r in probe_records],
            "median_s": pct([r.get("latency_after_stable_s") for r in probe_records], 50),
            "observed_by_polling_s": [r.get("latency_after_stable_observed_s") for r in probe_records],
            "monitor_lag_s": [r.get("monitor_lag_s") for r in probe_records],
            "job_run_s": [r.get("job_run_s") for r in probe_records],
        },
        "checks": {
            "sr_not_exactly_one": [{"study": r["study"], "sr_series": r.get("sr_series"), "http": r.get("sr_http")}
                                   for r in all_recs if r.get("sr_series") != 1],
            "more_than_one_version": [{"study": r["study"], "versions": r.get("versions")} for r in all_recs if (r.get("versions") or 0) > 1],
            "instances_mismatch": [{"study": r["study"], "received": r.get("received_instances"), "sent": len(studies[r["study"]])}
                                   for r in all_recs if r.get("received_instances") != len(studies[r["study"]])],
            "failed": [{"study": r["study"], "error": r.get("error") or r.get("version_error")} for r in all_recs if r.get("status") == "failed"],
            "not_finished": [{"study": r["study"], "status": r.get("status"), "http": r.get("http")} for r in all_recs if r.get("status") not in ("done", "failed")],
            "service_exited_at": mem.gone,
        },
        "memory": {"vmhwm_mib": status.get("VmHWM", 0) / 1024.0 if status else None,
                   "vmrss_end_mib": status.get("VmRSS", 0) / 1024.0 if status else None,
                   "max_sampled_rss_mib": max((s[1] for s in mem.samples), default=None),
                   "threads_end": status.get("Threads")},
        "metrics": metrics,
        "loadavg_start_end": [load_start, open("/proc/loadavg").read().split()[:3]],
        "marks": marks,
        "rss_samples": mem.samples,
        "studies_detail": records,
        "probes_detail": probe_records,
        "requests_detail": requests,
    }
    with open(a.out, "w") as fh:
        json.dump(result, fh, indent=1)
    log(f"round written to {a.out}")
    return 0


# ----------------------------------------------------------------------------------------------------------- summary
def fmt(v, spec=".1f", none="—"):
    return none if v is None else format(v, spec)


def summary(a):
    rounds = []
    for p in a.rounds:
        with open(p) as fh:
            rounds.append(json.load(fh))
    rounds.sort(key=lambda r: r["workers"])
    r0 = rounds[0]
    rows = []

    def row(name, values, goal="", ok=None):
        rows.append((name, values, goal, ok))

    def each(f):
        return [f(r) for r in rounds]

    intake = each(lambda r: r["intake"]["instances_per_s"])
    row("intake, instances/s (phase A wall)", [fmt(v) for v in intake], "≥ 300", all(v and v >= 300 for v in intake))
    row("intake, MB/s", each(lambda r: fmt(r["intake"]["mb_per_s"])))
    row("STOW request p50 / p95, ms", each(lambda r: f"{fmt(r['intake']['request_p50_ms'], '.0f')} / {fmt(r['intake']['request_p95_ms'], '.0f')}"))
    row("requests not 200 / reconnects", each(lambda r: f"{r['intake']['requests_not_200']} / {r['intake']['reconnects']}"))
    row("burst: last instance → result − stable, p50 / p95, s",
        each(lambda r: f"{fmt(r['burst']['latency_after_stable_s']['p50'], '.2f')} / {fmt(r['burst']['latency_after_stable_s']['p95'], '.2f')}"),
        "(queue grows)")
    row("   of which queue wait p50 / p95, s",
        each(lambda r: f"{fmt(r['burst']['queue_wait_s']['p50'], '.2f')} / {fmt(r['burst']['queue_wait_s']['p95'], '.2f')}"))
    row("   of which job run p50 / p95, s",
        each(lambda r: f"{fmt(r['burst']['job_run_s']['p50'], '.2f')} / {fmt(r['burst']['job_run_s']['p95'], '.2f')}"))
    row("   of which stability-poll lag p50, s", each(lambda r: fmt(r["burst"]["monitor_lag_s"]["p50"], ".2f")))
    eq = each(lambda r: r["empty_queue"]["median_s"])
    row("empty queue: last instance → result − stable, median, s",
        [f"{fmt(v, '.2f')} (n={r['empty_queue']['done']})" for v, r in zip(eq, rounds)], "≤ 3", all(v is not None and v <= 3 for v in eq))
    row("worker throughput, studies/min (1st start → last finish)", each(lambda r: fmt(r["burst"]["studies_per_min"])))
    row("   worker busy fraction in that window", each(lambda r: fmt(r["burst"]["busy_fraction"], ".2f")))
    row("machine load average (1 min) at round start / end", each(lambda r: " / ".join(x[0] for x in r.get("loadavg_start_end", [["?"], ["?"]]))))
    row("peak memory VmHWM, MiB", each(lambda r: fmt(r["memory"]["vmhwm_mib"], ".0f")))
    row("max sampled RSS (0.5 s), MiB", each(lambda r: fmt(r["memory"]["max_sampled_rss_mib"], ".0f")))
    lost = each(lambda r: r["burst"]["lost"] + (r["empty_queue"]["probes"] - r["empty_queue"]["done"]))
    row("lost (sent − done, burst + probes)", [str(v) for v in lost], "0", all(v == 0 for v in lost))
    row("failed", each(lambda r: str(len(r["checks"]["failed"]))))
    row("studies without exactly 1 SR", each(lambda r: str(len(r["checks"]["sr_not_exactly_one"]))), "0",
        all(not r["checks"]["sr_not_exactly_one"] for r in rounds))
    row("studies with > 1 version", each(lambda r: str(len(r["checks"]["more_than_one_version"]))))
    row("received ≠ sent instances", each(lambda r: str(len(r["checks"]["instances_mismatch"]))))

    head = ["metric"] + [f"{r['workers']} worker{'s' if r['workers'] > 1 else ''}" for r in rounds] + ["goal", ""]
    w0 = max(len(x[0]) for x in rows + [(head[0],)])
    wv = max([len(v) for x in rows for v in x[1]] + [len(h) for h in head[1:-2]])
    lines = [f"HEADS UP service load benchmark — {r0['studies']} studies ({r0['instances']} instances, "
             f"{r0['slices_min']}–{r0['slices_max']} slices, mean {r0['slices_mean']:.1f}), {r0['clients']} STOW clients, "
             f"{r0['mode']}, stable wait {r0['stable_seconds']:g} s",
             f"{head[0]:<{w0}}  " + "  ".join(f"{h:>{wv}}" for h in head[1:-2]) + f"  {'goal':<14}"]
    for name, values, goal, ok in rows:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        lines.append(f"{name:<{w0}}  " + "  ".join(f"{v:>{wv}}" for v in values) + f"  {goal:<14}{verdict}")
    if len(rounds) > 1:
        spm = [r["burst"]["studies_per_min"] for r in rounds]
        if all(spm):
            lines.append(f"studies/min {rounds[-1]['workers']} vs 1 worker(s): ×{spm[-1] / spm[0]:.2f} on {os.cpu_count()} cores "
                         "(each of k workers gets torch threads = cores/k)")
        lines.append("  On 2 shared cores this shows how well one job uses the cores, not scaling. Linear scaling shows when cores\n"
                     "  are added: N worker processes on N machines sharing the database, queue and store, or one machine with C\n"
                     "  cores run pinned to 1, 2, 4 … C cores (taskset) with --workers k and torch threads = cores/k, studies/min\n"
                     "  growing in proportion to the cores.")
    text = "\n".join(lines)
    print(text)
    problems = []
    for r in rounds:
        c = r["checks"]
        for k in ("failed", "sr_not_exactly_one", "more_than_one_version", "instances_mismatch", "not_finished"):
            if c[k]:
                problems.append(f"{r['workers']} worker(s) {k}: {json.dumps(c[k][:5])}")
        if c["service_exited_at"]:
            problems.append(f"{r['workers']} worker(s): the service process exited during the round")
        if r["intake"]["errors"]:
            problems.append(f"{r['workers']} worker(s) STOW errors: {json.dumps(r['intake']['errors'][:5])[:1500]}")
    if problems:
        print("\nproblems seen:\n  " + "\n  ".join(problems))
    out = {"goals": GOALS, "cpu_count": os.cpu_count(), "table": text, "problems": problems,
           "rounds": [{k: v for k, v in r.items() if k not in ("rss_samples", "studies_detail", "probes_detail", "requests_detail")} for r in rounds]}
    with open(os.path.join(a.out, "summary.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    with open(os.path.join(a.out, "summary.txt"), "w") as fh:
        fh.write(text + ("\n\nproblems seen:\n  " + "\n  ".join(problems) if problems else "") + "\n")
    print(f"\nsummary: {os.path.join(a.out, 'summary.json')} (per-round detail: {', '.join(os.path.basename(p) for p in a.rounds)})")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot skipped: matplotlib is not installed for /usr/bin/python3 (apt-get install python3-matplotlib)")
        return 0
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in rounds:
        t0 = r["marks"]["intake_start"]
        ax[0].plot([s[0] - t0 for s in r["rss_samples"]], [s[1] for s in r["rss_samples"]], label=f"{r['workers']} worker(s)")
        lat = sorted(x["latency_after_stable_s"] for x in r["studies_detail"] if x.get("latency_after_stable_s") is not None)
        ax[1].plot(lat, [(i + 1) / len(lat) for i in range(len(lat))], drawstyle="steps-post", label=f"{r['workers']} worker(s)")
    ax[0].set(xlabel="s since intake start", ylabel="service RSS, MiB", title="memory")
    ax[1].set(xlabel="last instance → result − stable wait, s", ylabel="fraction of studies", title="latency (burst)")
    for x in ax:
        x.legend()
        x.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "load.png"), dpi=100)
    print(f"plot: {os.path.join(a.out, 'load.png')}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("round")
    for name, typ in (("--url", str), ("--ingest", str), ("--reader", str), ("--pid", int), ("--phantoms", str),
                      ("--studies", int), ("--probes", int), ("--clients", int), ("--batch", int), ("--slices", int),
                      ("--stable", float), ("--workers", int), ("--deadline", float), ("--out", str)):
        r.add_argument(name, type=typ, required=True)
    s = sub.add_parser("summary")
    s.add_argument("--out", required=True)
    s.add_argument("rounds", nargs="+")
    a = p.parse_args()
    return run_round(a) if a.cmd == "round" else summary(a)


if __name__ == "__main__":
    sys.exit(main())
