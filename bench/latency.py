"""Filed-to-live latency on the real embedded stack (SeaweedFS + Airflow standalone), on free ports.

Setup (not measured): a copy of include/newsroom.yaml in a temp dir whose
``site.base_url`` points at a fresh SeaweedFS, whose state is a temp dir and
whose ``airflow.url`` is the API port chosen here; SeaweedFS and Airflow are
started the way ``dev.devstack`` does (the first Airflow start migrates
its database). Then K new articles are filed one at a time exactly as
``newsroom file`` does (``Inbox.file`` then ``signal_filed``); for each, the
clock runs from just before the filing until ``head_object`` finds its
article page in the bucket (the key comes from the store row, once ingest
has written it). Between filings the bench waits, untimed, for the previous
article's run to mark it published, so each filing meets an idle pipeline
(apart from the every-minute safety-net run, as in production). Both
servers are stopped in a ``finally``.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import generate_article, write_markdown
from bench.util import environ, include_copy, log, newsroom_yaml

POLL_SECONDS = 0.1
# Filings come from their own archive (another seed, indices far from any backfill), so they are new articles.
FILING_SEED_OFFSET = 1000
FILING_START_INDEX = 900_000


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


def _stages(store: Any, article_id: str, wall_start: float) -> dict[str, float]:
    """Seconds from the filing to the first 'filed', 'rendered', 'published' event of the article."""
    info = store.status.of(article_id) or {"events": []}
    stages: dict[str, float] = {}
    for event in info["events"]:
        at = event["at"]
        if isinstance(at, datetime) and event["kind"] not in stages:
            stages[event["kind"]] = round(at.timestamp() - wall_start, 3)
    return stages


def _wait_published(store: Any, article_id: str, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        row = store.articles.records([article_id]).get(article_id)
        if row is not None and row.status == "published":
            return True
        time.sleep(0.2)
    return False


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
    from newsroom.resources import open_store

    result = {} if result is None else result
    result.update(filings_requested=filings, poll_seconds=POLL_SECONDS, filings=[])
    state = workdir / "state"
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
    }
    airflow = AirflowStandalone(workdir / "airflow", port=api_port, extra_env=env)
    result.update(s3_endpoint=seaweed.endpoint, airflow_url=f"http://127.0.0.1:{api_port}")
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
            result["airflow_start_seconds"] = round(time.perf_counter() - started, 2)

            store = open_store(config)
            inbox = Inbox(config)
            folder = workdir / "filings"
            folder.mkdir(parents=True, exist_ok=True)
            misses = 0
            for number in range(filings):
                local_now = datetime.now(config.site.tz).replace(microsecond=0)
                article = generate_article(FILING_START_INDEX + number, seed + FILING_SEED_OFFSET)
                article = article.with_published(local_now)
                source = write_markdown(article, folder)
                log(f"latency: filing {number + 1}/{filings}: {article.id}")

                wall_start = time.time()
                started = time.perf_counter()
                target = inbox.file(source)
                signal_error = None
                try:
                    signal_filed(config, [target.name])
                except AirflowApiError as exc:  # as `newsroom file`: the safety-net schedule will pick it up
                    signal_error = str(exc)
                    log(f"latency: signal failed ({exc}); waiting for the safety-net run")
                signalled = time.perf_counter() - started
                key: str | None = None
                ingested: float | None = None
                live: float | None = None
                while time.perf_counter() - started < timeout:
                    if key is None:
                        row = store.articles.records([article.id]).get(article.id)
                        if row is not None:
                            key = config.storage.prefix + row.path
                            ingested = time.perf_counter() - started
                    if key is not None and _in_bucket(client, bucket, key):
                        live = time.perf_counter() - started
                        break
                    time.sleep(POLL_SECONDS)
                if live is not None:
                    # Not timed: let its run finish (status 'published') so the next filing starts on an idle
                    # pipeline and this one's timeline is complete.
                    _wait_published(store, article.id, 60.0)
                entry: dict[str, Any] = {
                    "article_id": article.id,
                    "key": key,
                    "signal_seconds": round(signalled, 3),
                    "signal_error": signal_error,
                    "row_seen_seconds": None if ingested is None else round(ingested, 2),
                    "live_seconds": None if live is None else round(live, 2),
                    "events": _stages(store, article.id, wall_start),
                }
                result["filings"].append(entry)
                if live is None:
                    misses += 1
                    log(f"latency: {article.id} not live after {timeout:.0f}s")
                    if misses >= 2:
                        result["error"] = "two filings never went live; stopped"
                        break
                else:
                    log(f"latency: live after {live:.2f}s")
            with contextlib.suppress(Exception):
                api = AirflowApi.from_config(config)
                runs = api.dag_runs("ingest_articles", order_by="-run_after", limit=100)
                result["ingest_runs"] = dict(Counter(str(r["state"]) for r in runs))
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
    result["live"] = len(times)
    result["not_live"] = len(result["filings"]) - len(times)
    if times:
        result["median_seconds"] = round(statistics.median(times), 2)
        result["worst_seconds"] = round(max(times), 2)
        result["best_seconds"] = round(min(times), 2)
        result["mean_seconds"] = round(statistics.fmean(times), 2)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result
