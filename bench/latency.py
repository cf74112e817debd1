"""Filed-to-live latency on the real embedded stack (SeaweedFS + Airflow standalone), beside one bare Airflow hop.

    python -m bench.latency [--filings 20] [--keep]      (also part of ``make bench``)

Setup (not measured): a copy of include/newsroom.yaml in a temp dir whose
``site.base_url`` points at a fresh SeaweedFS, whose state is a temp dir and
whose ``airflow.url`` is the API port chosen here; SeaweedFS and Airflow are
started the way ``dev.devstack`` does (the same scheduler settings and
preloading), with a DAG folder of the bench's own: this repository's DAG
files (linked) and ``bench_hop``, one task that only touches a file.

Then, ``filings`` times, interleaved, after one warm-up of each that is not
counted:

- **a filing**, exactly as ``newsroom file`` does it (``Inbox.file``, then
  ``signal_filed``: one ``POST .../dagRuns`` with the cached token); the clock
  runs from just before the filing until ``head_object`` finds its article
  page in the bucket (polled every 0.1 s; the key comes from the store row,
  once ingest has written it);
- **one bare hop**: a run of ``bench_hop`` asked for the same way (the same
  client and token); the clock runs from just before the POST until the
  task's file exists (polled every 0.1 s).

Between the two, and between rounds, the bench waits (untimed) for the runs
to finish, so each meets an idle pipeline, apart from the every-minute
``ingest_sweep`` and ``distribute`` runs, as in production. Afterwards,
Airflow's own records of each run (read over REST, untimed) split a filing's
time: asked → run started (the scheduler), → task started (the executor's
fork), → page in the bucket (DAG-file parse and the work); and how long after
the publish the ``distribute`` run started (the PUBLISHED asset). p95 is the
nearest rank (the 19th of 20). The load average is read before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import secrets
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED, generate_article, write_markdown
from bench.util import REPO_ROOT, environ, include_copy, log, newsroom_yaml

POLL_SECONDS = 0.1
# Filings come from their own archive (another seed, indices far from any backfill), so they are new articles.
FILING_SEED_OFFSET = 1000
FILING_START_INDEX = 900_000
HOP_DAG_ID = "bench_hop"
HOP_DAG = '''"""Bench only (bench/latency.py): one task that touches a file: one bare Airflow hop."""

import time
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, get_current_context, task


@dag(dag_id="bench_hop", schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["bench"])
def bench_hop():
    @task
    def hop():
        Path(get_current_context()["dag_run"].conf["marker"]).touch()
        return {"cpu": time.process_time()}  # since the task's fork: start-up and parse

    hop()


bench_hop()
'''


def _post_filing(airflow_url: str, token: str, source: Path) -> dict[str, Any]:
    """One filing through the filing API, as a CMS sends it; its answer (or the error, as a dict)."""
    request = urllib.request.Request(
        f"{airflow_url}/newsroom/articles?name={source.name}",
        data=source.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/markdown"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return dict(json.loads(answer.read()))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def _s3_client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="newsroom-local",
        aws_secret_access_key="newsroom-local",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )


def _in_bucket(client: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return []


def dag_folder(workdir: Path) -> Path:
    """This repository's DAG files (linked) and the bench's one-task DAG."""
    folder = workdir / "dags"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((REPO_ROOT / "dags").glob("*.py")):
        (folder / path.name).symlink_to(path)
    (folder / f"{HOP_DAG_ID}.py").write_text(HOP_DAG, encoding="utf-8")
    return folder


def _when(value: str | None) -> float | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None


def _after(value: str | None, start: float) -> float | None:
    at = _when(value)
    return None if at is None else round(at - start, 3)


def _wait_run(api: Any, dag_id: str, run_id: str, timeout: float) -> dict[str, Any]:
    """Until the run has finished (untimed); its record."""
    deadline = time.monotonic() + timeout
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        run = api._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
        if run.get("state") in ("success", "failed"):
            return run
        time.sleep(0.3)
    return run


def _timeline(api: Any, dag_id: str, run: dict[str, Any], start: float) -> dict[str, float | None]:
    """Seconds after ``start`` of the run's queueing, start, and its task's queueing, start and end."""
    tis = api._request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")["task_instances"]
    ti = tis[0] if tis else {}
    return {
        "run_queued": _after(run.get("queued_at"), start),
        "run_started": _after(run.get("start_date"), start),
        "task_queued": _after(ti.get("queued_when"), start),
        "task_started": _after(ti.get("start_date"), start),
        "task_ended": _after(ti.get("end_date"), start),
        "run_ended": _after(run.get("end_date"), start),
    }


def _task_seconds(
    api: Any, run_id: str, dag_id: str = "ingest_articles", task_id: str = "publish_filings"
) -> dict[str, float]:
    """The phases' wall seconds and the task process's CPU seconds, from its XCom (``ProcessResult``; the
    hop's ``{"cpu": ...}``)."""
    path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    try:
        value = api._request("GET", path + "?deserialize=true")["value"]
        if isinstance(value, str):
            value = json.loads(value)
        return dict(value.get("seconds") or value)
    except Exception:  # a skipped task has no XCom
        return {}


def _distribute_started(api: Any, after: float, timeout: float = 30.0) -> float | None:
    """Seconds from ``after`` (the publish) to the start of the first distribute run queued since."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api.dag_runs("distribute", order_by="-run_after", limit=5)
        for run in runs:
            queued, started = _when(run.get("queued_at")), _when(run.get("start_date"))
            if queued is not None and queued >= after - 1 and started is not None:
                return round(started - after, 3)
        time.sleep(0.5)
    return None


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least ``q`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarise(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 3),
        "p95": round(percentile(values, 0.95), 3),
        "worst": round(max(values), 3),
        "best": round(min(values), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def run(
    filings: int,
    seed: int,
    workdir: Path,
    *,
    timeout: float = 300.0,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The figures, filled into ``result`` as they come (so a failure keeps what was measured)."""
    from dev.devstack import AirflowStandalone, SeaweedServer
    from dev.ports import free_port
    from newsroom.airflow_api import AirflowApi, AirflowApiError, signal_filed
    from newsroom.config import parse_config
    from newsroom.ingest import Inbox
    from newsroom.resources import files_for, open_store

    result = {} if result is None else result
    result.update(filings_requested=filings, poll_seconds=POLL_SECONDS, filings=[], api_filings=[], hops=[])
    state = workdir / "state"
    cms_token = secrets.token_hex(16)  # the filing API's service token (newsroom.web), for this run only
    seaweed = SeaweedServer.on_free_ports(workdir / "seaweed")
    api_port = free_port()
    try:
        data = newsroom_yaml()
        bucket = str(data["storage"]["bucket"])
        data["site"]["base_url"] = f"{seaweed.endpoint}/{bucket}/"
        data.setdefault("paths", {})["state_dir"] = str(state)
        data.setdefault("airflow", {})["url"] = f"http://127.0.0.1:{api_port}"
        config_path = include_copy(workdir / "include", data)
        config = parse_config(data, config_path, state_dir=state)
    except Exception as exc:
        result["error"] = f"configuration: {type(exc).__name__}: {exc}"
        log(f"latency: failed: {result['error']}")
        return result
    env = {
        "NEWSROOM_CONFIG": str(config_path),
        "NEWSROOM_STATE_DIR": str(state),
        "AIRFLOW_CONN_" + config.storage.conn_id.upper(): seaweed.connection_uri(),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dag_folder(workdir)),
        "AIRFLOW_CONN_NEWSROOM_CMS": json.dumps({"conn_type": "http", "login": "bench", "password": cms_token}),
    }
    airflow = AirflowStandalone(workdir / "airflow", port=api_port, extra_env=env)
    result.update(s3_endpoint=seaweed.endpoint, airflow_url=f"http://127.0.0.1:{api_port}")
    markers = workdir / "markers"
    markers.mkdir(parents=True, exist_ok=True)
    # NEWSROOM_DATABASE_URL would send both this process and Airflow's tasks to another database.
    with environ(env, remove=["NEWSROOM_DATABASE_URL"]):
        try:
            log(f"latency: starting SeaweedFS (S3 on {seaweed.endpoint})")
            started = time.perf_counter()
            seaweed.start()
            client = _s3_client(seaweed.endpoint)
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists):
                client.create_bucket(Bucket=bucket)
            result["seaweed_start_seconds"] = round(time.perf_counter() - started, 2)

            log(f"latency: starting Airflow standalone on port {api_port} (the first start migrates its database)")
            started = time.perf_counter()
            airflow.start()
            api = AirflowApi.from_config(config)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # the bench's own DAG, parsed by then or soon after
                with contextlib.suppress(AirflowApiError):
                    api._request("GET", f"/api/v2/dags/{HOP_DAG_ID}")
                    break
                time.sleep(1)
            result["airflow_start_seconds"] = round(time.perf_counter() - started, 2)

            store = open_store(config)
            inbox = Inbox(config, files_for(config))
            folder = workdir / "filings"
            folder.mkdir(parents=True, exist_ok=True)
            result["loadavg_before"] = loadavg()
            misses = 0
            for number in range(filings + 1):  # number 0: the warm-up, not counted
                counted = number > 0
                for via in ("cli", "api"):  # as `newsroom file` does it, then through the filing API (newsroom.web)
                    local_now = datetime.now(config.site.tz).replace(microsecond=0)
                    index = FILING_START_INDEX + 2 * number + (via == "api")
                    article = generate_article(index, seed + FILING_SEED_OFFSET).with_published(local_now)
                    source = write_markdown(article, folder)
                    log(f"latency: filing {number}/{filings} via {via}{'' if counted else ' (warm-up)'}: {article.id}")

                    wall_start = time.time()
                    started = time.perf_counter()
                    signal_error = None
                    run_id = None
                    if via == "cli":
                        target = inbox.file(source)
                        try:
                            run_id = signal_filed(config, [target.name])["dag_run_id"]
                        except AirflowApiError as exc:  # as `newsroom file`: the sweep will pick it up
                            signal_error = str(exc)
                    else:
                        answer = _post_filing(result["airflow_url"], cms_token, source)
                        run_id = answer.get("run")
                        signal_error = None if run_id else str(answer)
                    if signal_error:
                        log(f"latency: signal failed ({signal_error}); waiting for the sweep")
                    signalled = time.perf_counter() - started
                    key: str | None = None
                    live: float | None = None
                    while time.perf_counter() - started < timeout:
                        if key is None:
                            row = store.articles.records([article.id]).get(article.id)
                            if row is not None:
                                key = config.storage.prefix + row.path
                        if key is not None and _in_bucket(client, bucket, key):
                            live = time.perf_counter() - started
                            break
                        time.sleep(POLL_SECONDS)
                    entry: dict[str, Any] = {
                        "article_id": article.id,
                        "via": via,
                        "run_id": run_id,
                        "signal_seconds": round(signalled, 3),
                        "signal_error": signal_error,
                        "live_seconds": None if live is None else round(live, 3),
                    }
                    if run_id is not None:  # not timed: let the run finish, then read Airflow's record of it
                        finished = _wait_run(api, "ingest_articles", run_id, 120)
                        entry["airflow"] = _timeline(api, "ingest_articles", finished, wall_start)
                        entry["task_seconds"] = _task_seconds(api, run_id)
                        ended = entry["airflow"].get("task_ended")
                        if ended is not None:
                            entry["distribute_started_after_publish"] = _distribute_started(api, wall_start + ended)
                    if counted:
                        result["filings" if via == "cli" else "api_filings"].append(entry)
                    elif via == "cli":
                        result["warmup_filing"] = entry
                    if live is None:
                        misses += 1
                        log(f"latency: {article.id} not live after {timeout:.0f}s")
                    else:
                        log(f"latency: live after {live:.2f}s")
                if misses >= 2:
                    result["error"] = "two filings never went live; stopped"
                    break

                marker = markers / f"hop-{number}"
                started = time.perf_counter()
                wall_start = time.time()
                hop_run = api.trigger(HOP_DAG_ID, {"marker": str(marker)})
                hopped: float | None = None
                while time.perf_counter() - started < timeout:
                    if marker.exists():
                        hopped = time.perf_counter() - started
                        break
                    time.sleep(POLL_SECONDS)
                finished = _wait_run(api, HOP_DAG_ID, hop_run["dag_run_id"], 120)
                hop: dict[str, Any] = {"seconds": None if hopped is None else round(hopped, 3)}
                hop["airflow"] = _timeline(api, HOP_DAG_ID, finished, wall_start)
                hop["task_seconds"] = _task_seconds(api, hop_run["dag_run_id"], HOP_DAG_ID, "hop")
                if counted:
                    result["hops"].append(hop)
                log(f"latency: bare hop {hop['seconds']}s")
            result["loadavg_after"] = loadavg()
            with contextlib.suppress(Exception):
                runs = api.dag_runs("ingest_articles", order_by="-run_after", limit=100)
                result["ingest_runs"] = dict(Counter(str(r["state"]) for r in runs))
                sweeps = api.dag_runs("ingest_sweep", order_by="-run_after", limit=100)
                result["sweep_runs"] = dict(Counter(str(r["state"]) for r in sweeps))
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
            log(f"latency: failed: {result['error']}")
        finally:
            if result.get("error") or any(f["live_seconds"] is None for f in result["filings"]):
                result["airflow_log_tail"] = _tail(airflow.home / "standalone.log")
            log("latency: stopping Airflow and SeaweedFS")
            try:
                airflow.stop()
            finally:
                seaweed.stop()

    times = [f["live_seconds"] for f in result["filings"] if f["live_seconds"] is not None]
    hops = [h["seconds"] for h in result["hops"] if h["seconds"] is not None]
    result["live"] = len(times)
    result["not_live"] = len(result["filings"]) - len(times)
    result["filed_to_live"] = summarise(times)
    api_times = [f["live_seconds"] for f in result["api_filings"] if f["live_seconds"] is not None]
    result["not_live"] += len(result["api_filings"]) - len(api_times)
    result["api_filed_to_live"] = summarise(api_times)
    if api_times and hops:
        result["api_ratio_median"] = round(statistics.median(api_times) / statistics.median(hops), 2)
    result["bare_hop"] = summarise(hops)
    if times and hops:
        result["ratio_median"] = round(statistics.median(times) / statistics.median(hops), 2)
    phases = {}
    for name, (a, b) in {
        "asked → run started": ("", "run_started"),
        "run started → task started": ("run_started", "task_started"),
        "task started → page in the bucket": ("task_started", ""),
    }.items():
        gaps = []
        for f in result["filings"]:
            line = f.get("airflow") or {}
            first = 0.0 if not a else line.get(a)
            second = f["live_seconds"] if not b else line.get(b)
            if first is not None and second is not None:
                gaps.append(second - first)
        phases[name] = summarise(gaps)
    result["split"] = phases
    for phase in ("ingest", "enrich", "render", "publish", "cpu"):
        values = [f["task_seconds"][phase] for f in result["filings"] if phase in (f.get("task_seconds") or {})]
        if values:
            result.setdefault("task_phases", {})[phase] = summarise(values)
    hop_cpu = [h["task_seconds"]["cpu"] for h in result["hops"] if "cpu" in (h.get("task_seconds") or {})]
    result["bare_hop_cpu"] = summarise(hop_cpu)
    distribute = [
        f["distribute_started_after_publish"]
        for f in result["filings"]
        if f.get("distribute_started_after_publish") is not None
    ]
    result["distribute_after_publish"] = summarise(distribute)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def format_latency(r: dict[str, Any]) -> list[str]:
    def f(value: Any, digits: int = 2) -> str:
        return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "—"

    lines = [f"Filed-to-live latency ({r.get('filings_requested', '?')} filings, SeaweedFS + Airflow standalone)"]
    lines.append(
        f"  setup, not counted: SeaweedFS {f(r.get('seaweed_start_seconds'), 1)} s, "
        f"Airflow standalone {f(r.get('airflow_start_seconds'), 1)} s (first start migrates its DB); "
        "one warm-up filing and hop"
    )
    filings = r.get("filings", [])
    hops = r.get("hops", [])
    if filings:
        lines.append(f"  {'#':>2}  {'article':<40}{'POST':>7}{'live':>7}{'hop':>7}   Airflow: run, task started, ended")
    for number, entry in enumerate(filings, 1):
        line = entry.get("airflow") or {}
        hop = hops[number - 1]["seconds"] if number <= len(hops) else None
        note = f" (signal failed: {entry['signal_error'][:50]})" if entry.get("signal_error") else ""
        lines.append(
            f"  {number:>2}  {entry['article_id'][:39]:<40}{f(entry['signal_seconds']):>7}"
            f"{f(entry['live_seconds']):>7}{f(hop):>7}   "
            f"{f(line.get('run_started'))}, {f(line.get('task_started'))}, {f(line.get('task_ended'))}{note}"
        )
    live, hop = r.get("filed_to_live") or {}, r.get("bare_hop") or {}
    if live:
        lines.append(
            f"  filed → article page in the bucket: median {f(live['median'])} s, p95 {f(live['p95'])} s, "
            f"worst {f(live['worst'])} s (best {f(live['best'])} s; {r['live']} of {len(filings)} live)"
        )
    if hop:
        lines.append(
            f"  one bare Airflow hop (bench_hop, asked the same way): median {f(hop['median'])} s, "
            f"p95 {f(hop['p95'])} s, worst {f(hop['worst'])} s"
        )
    if "ratio_median" in r:
        lines.append(f"  filed → live ÷ bare hop (medians): {r['ratio_median']:.2f}")
    api = r.get("api_filed_to_live") or {}
    if api:
        lines.append(
            f"  through the filing API (POST /newsroom/articles, as a CMS): median {f(api['median'])} s, "
            f"p95 {f(api['p95'])} s, worst {f(api['worst'])} s; ÷ bare hop {f(r.get('api_ratio_median'))}"
        )
    for name, stats in (r.get("split") or {}).items():
        if stats:
            lines.append(f"    {name:<36} median {f(stats['median'])} s, p95 {f(stats['p95'])} s")
    phases = r.get("task_phases") or {}
    if phases:
        walls = ", ".join(f"{k} {f(v['median'])}" for k, v in phases.items() if k != "cpu")
        cpu = phases.get("cpu") or {}
        lines.append(
            f"    inside the task (medians): {walls} s; the task process's CPU {f(cpu.get('median'))} s "
            f"(p95 {f(cpu.get('p95'))} s), start-up and DAG-file parse included"
        )
    hop_cpu = r.get("bare_hop_cpu") or {}
    if hop_cpu:
        lines.append(f"    the bare hop's task process's CPU {f(hop_cpu['median'])} s (p95 {f(hop_cpu['p95'])} s)")
    dist = r.get("distribute_after_publish") or {}
    if dist:
        lines.append(
            f"  distribute run started after the publish (PUBLISHED asset): median {f(dist['median'])} s, "
            f"worst {f(dist['worst'])} s"
        )
    if r.get("loadavg_before"):
        lines.append(f"  load average before {r['loadavg_before']}, after {r.get('loadavg_after')}")
    if "ingest_runs" in r:
        runs = ", ".join(f"{n} {state}" for state, n in sorted(r["ingest_runs"].items()))
        sweeps = ", ".join(f"{n} {state}" for state, n in sorted((r.get("sweep_runs") or {}).items()))
        lines.append(f"  runs seen: ingest_articles {runs}; ingest_sweep {sweeps}")
    if r.get("error"):
        lines.append(f"  FAILED: {r['error']}")
    if r.get("airflow_log_tail"):
        lines.append("  last lines of airflow standalone.log:")
        lines.extend(f"    {line}" for line in r["airflow_log_tail"].splitlines()[-20:])
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=20, help="filings (and bare hops) measured (default 20)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for one filing to go live")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (state, Airflow's logs)")
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-bench-latency-"))
    try:
        result = run(args.filings, args.seed, workdir, timeout=args.timeout)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print("\n".join(format_latency(result)))
    return 1 if result.get("error") or result.get("not_live") else 0


if __name__ == "__main__":
    sys.exit(main())
