"""Scale-out on Airflow's CeleryExecutor: PostgreSQL, Redis and two Celery workers on loopback.

``python -m dev.scalestack demo`` (``make scale-demo``) starts SeaweedFS
and a :class:`CeleryStack` (the production shape of the pipeline, on one
machine), writes a generated archive into day partitions in the newsroom's
private bucket (``storage.files_bucket``), runs
``airflow backfill create --dag-id backfill_archive`` over its days, waits,
and prints a summary: runs, task instances per worker, articles published,
objects in the bucket, time taken. Ctrl-C stops everything it started.
The end-to-end test ``tests/e2e/test_scale_out.py`` starts the same stack.

The stack is the embedded default's DAGs and plugins (``dev.devstack``
helpers, reused) on:

* PostgreSQL: a metadata database ``newsroom_af_<random>`` for Airflow (and
  for Celery's result backend) and a state database ``newsroom_state_<random>``
  for the newsroom (``NEWSROOM_DATABASE_URL``), both created at start and
  dropped at stop;
* Redis as the Celery broker, every key under its own prefix
  (``[celery_broker_transport_options] global_keyprefix``, which the Celery
  provider hands to kombu), so it never touches anyone else's keys and its
  own are deleted at stop;
* an api-server on a free port, a scheduler, a dag-processor, a triggerer and
  two ``airflow celery worker`` processes (``worker1@host``, ``worker2@host``),
  all sharing one generated JWT secret and Fernet key, each in its own
  process group with its log under the stack's folder;
* no shared folder: each of those processes has a state folder of its own
  (``NEWSROOM_STATE_DIR`` = ``local/<process>`` under the stack's folder),
  as pods of the official Helm chart or Celery workers on several machines
  would; what they share is the state database and the config's private
  bucket ``storage.files_bucket`` (the archive's partitions, quarantine
  reports...), on the same S3 connection as the site's bucket;
* real authentication (:class:`dev.auth.SimpleAuthUsers`): the simple auth
  manager's users ``admin`` (role admin, for a person in the UI) and
  ``newsroom`` (role op: ``newsroom file`` and this module's REST client),
  each with a password generated at start, in ``airflow/passwords.json``
  (mode 0600); ``env.sh`` carries the ``newsroom_airflow`` connection
  ``newsroom file`` logs in with. Without credentials the API refuses every
  call (``GET /auth/token`` answers 403).

Both workers run on one machine, so each reports its Celery node name as
its hostname (``[core] hostname_callable`` = :func:`worker_hostname`): the
Task SDK sends it when a task starts, and it lands in
``task_instance.hostname``; that is how a test tells which worker ran what.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from dev.auth import CONN_ID, SimpleAuthUsers
from dev.devstack import BIN, SeaweedServer, _stop_group, airflow_env
from dev.ports import free_port, port_open
from newsroom.config import DEFAULT_CONFIG, REPO_ROOT, NewsroomConfig, load_config

PG_ADMIN = os.environ.get("NEWSROOM_SCALE_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NEWSROOM_SCALE_REDIS", "redis://127.0.0.1:6379/0")
BACKFILL_DAG = "backfill_archive"
FINISHING_WAIT = 90  # seconds a new backfill waits for the last one to be stamped complete


def worker_hostname() -> str:
    """``[core] hostname_callable`` of the stack's Celery workers: the worker's own name."""
    return os.environ.get("NEWSROOM_WORKER_NAME") or socket.getfqdn()


def _db_url(admin: str, name: str) -> str:
    return admin.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def fresh_database(prefix: str = "newsroom_ref", admin: str = PG_ADMIN) -> Iterator[str]:
    """A PostgreSQL database of its own for the time of the block (e.g. an inline reference run's state)."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield _db_url(admin, name)
    finally:
        with contextlib.suppress(Exception):
            from newsroom.store.engine import engine_for

            engine_for.cache_clear()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@dataclass
class CeleryStack:
    """Airflow on CeleryExecutor + PostgreSQL + Redis, with ``workers`` Celery workers, on loopback.

    ``extra_env`` reaches every process (the newsroom config, the S3
    connection); each process gets its own state folder (:meth:`state_dir`),
    so the config must keep its files in a private bucket (``storage.files_bucket``).
    ``schedule=False`` turns off Airflow's own cron and asset
    scheduling (``[scheduler] use_job_schedule``): only runs asked for
    (backfills, triggers) happen, so a test or the demo sees no unrelated run.
    """

    folder: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    concurrency: int = 2
    schedule: bool = False
    unpause: tuple[str, ...] = (BACKFILL_DAG,)
    pg_admin: str = PG_ADMIN
    redis_url: str = REDIS_URL
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    state_dirs: dict[str, Path] = field(default_factory=dict)  # the NEWSROOM_STATE_DIR each process was given
    _created: list[str] = field(default_factory=list)
    _secrets: dict[str, str] = field(default_factory=dict)
    _auth: SimpleAuthUsers | None = None

    # -- names -----------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def home(self) -> Path:
        return self.folder / "airflow"

    @property
    def log_dir(self) -> Path:
        return self.folder / "logs"

    @property
    def metadata_db(self) -> str:
        return f"newsroom_af_{self.token}"

    @property
    def state_db(self) -> str:
        return f"newsroom_state_{self.token}"

    @property
    def metadata_url(self) -> str:
        return _db_url(self.pg_admin, self.metadata_db)

    @property
    def state_url(self) -> str:
        """The newsroom's state database, as the tasks get it in NEWSROOM_DATABASE_URL."""
        return _db_url(self.pg_admin, self.state_db)

    @property
    def redis_prefix(self) -> str:
        return f"newsroom-scale-{self.token}:"

    @property
    def auth(self) -> SimpleAuthUsers:
        """The stack's users and their passwords (generated on first use, in ``airflow/passwords.json``)."""
        if self._auth is None:
            self._auth = SimpleAuthUsers(self.home / "passwords.json")
        return self._auth

    def connection_uri(self) -> str:
        """The Airflow connection ``newsroom file`` (airflow.conn_id) logs in to this stack with."""
        return self.auth.connection_uri(self.url)

    def state_dir(self, process: str) -> Path:
        """The state folder of one process of the stack (its NEWSROOM_STATE_DIR), shared with no other."""
        return self.folder / "local" / process

    def worker_names(self) -> list[str]:
        host = socket.gethostname().split(".")[0] or "localhost"
        return [f"worker{i}@{host}" for i in range(1, self.workers + 1)]

    # -- environment -------------------------------------------------------------
    def env(self, process: str = "cli") -> dict[str, str]:
        """What every process of the stack gets, with ``process``'s own state folder (workers add their
        own name and log port; ``cli``: the airflow commands this module runs)."""
        if not self._secrets:
            from cryptography.fernet import Fernet

            self._secrets = {
                "jwt": secrets.token_urlsafe(32),
                "fernet": Fernet.generate_key().decode("ascii"),
                "trigger_log_port": str(free_port()),
            }
        # nothing of the caller's Airflow or newsroom settings leaks in (a test's AIRFLOW_HOME, unit-test mode...)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "NEWSROOM_"))}
        env = airflow_env(env, self.home, self.url, self._secrets["jwt"], self.auth)
        metadata = self.metadata_url
        env.update(
            {
                # backfill_archive's runs are UTC days named after their partitions: with UTC here,
                # `airflow backfill create --from-date D1 --to-date D2` runs exactly D1..D2
                "AIRFLOW__CORE__DEFAULT_TIMEZONE": "UTC",
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                # twice the workers' slots: a task is queued in Redis as soon as a slot frees up
                "AIRFLOW__CORE__PARALLELISM": str(2 * self.workers * self.concurrency),
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
                "AIRFLOW__CORE__FERNET_KEY": self._secrets["fernet"],
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": "3",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": "5",
                "AIRFLOW__CELERY__BROKER_URL": self.redis_url,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.concurrency),
                # the Celery result rows also name the worker (a second record of who ran what)
                "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": json.dumps({"result_extended": True}),
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": self.redis_prefix,
                "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "21600",
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(self.schedule),
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": self._secrets["trigger_log_port"],
                "NEWSROOM_DATABASE_URL": self.state_url,
                "NEWSROOM_STATE_DIR": str(self.state_dir(process)),
            }
        )
        env.update(self.extra_env)
        return env

    def worker_env(self, name: str, log_port: int) -> dict[str, str]:
        env = self.env(name.split("@", 1)[0])
        env.update(
            {
                "NEWSROOM_WORKER_NAME": name,
                # the repository root, so the worker can import dev.scalestack for its hostname
                "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), env["PYTHONPATH"]]),
                # by its import path: run as `python -m dev.scalestack`, __name__ is "__main__"
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "dev.scalestack.worker_hostname",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
            }
        )
        return env

    # -- lifecycle ---------------------------------------------------------------
    @contextlib.contextmanager
    def running(self, timeout: float = 240) -> Iterator[CeleryStack]:
        try:
            self.start(timeout)
            yield self
        finally:
            self.stop()

    def start(self, timeout: float = 240) -> None:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        self._check_redis()
        try:
            self._create_databases()
            self._prepare_state_db()
            self._migrate()
            api = ["api-server", "--port", str(self.port), "--host", "127.0.0.1"]
            self._spawn("api-server", api, self.env("api-server"))
            for name in ("scheduler", "dag-processor", "triggerer"):
                self._spawn(name, [name], self.env(name))
            for name in self.worker_names():
                short = name.split("@", 1)[0]
                command = ["celery", "worker", "--celery-hostname", name, "--concurrency", str(self.concurrency)]
                self._spawn(short, command, self.worker_env(name, free_port()))
            self.wait_ready(timeout)
        except BaseException:  # a half-started stack leaves no process, database or key behind
            self.stop()
            raise

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.state_dirs[name] = Path(env["NEWSROOM_STATE_DIR"])
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.procs[name] = subprocess.Popen(
                [str(BIN / "airflow"), *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=str(self.home),
            )  # fmt: skip

    def _admin(self) -> Any:
        from sqlalchemy import create_engine

        return create_engine(self.pg_admin, isolation_level="AUTOCOMMIT")

    def _create_databases(self) -> None:
        from sqlalchemy import text

        admin = self._admin()
        try:
            with admin.connect() as conn:
                for name in (self.metadata_db, self.state_db):
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                    self._created.append(name)
        finally:
            admin.dispose()

    def _drop_databases(self) -> None:
        from sqlalchemy import text

        if not self._created:
            return
        admin = self._admin()
        try:
            with admin.connect() as conn:
                for name in reversed(self._created):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._created.clear()
        finally:
            admin.dispose()

    def _prepare_state_db(self) -> None:
        """``newsroom db upgrade`` on the state database, once, before any worker starts: what a Helm
        pre-install/pre-upgrade Job does in production (the workers refuse a PostgreSQL database
        behind this release's schema revision; an empty one they could create, one at a time)."""
        self._run_once([str(BIN / "newsroom"), "db", "upgrade"], "db-upgrade.log")

    def _migrate(self) -> None:
        self._run_once([str(BIN / "airflow"), "db", "migrate"], "db-migrate.log")

    def _run_once(self, command: list[str], log_name: str) -> None:
        """A set-up command in the stack's environment, its output in the stack's logs; fails with where to look."""
        with open(self.log_dir / log_name, "ab") as log:
            result = subprocess.run(
                command, env=self.env(), stdout=log, stderr=subprocess.STDOUT, cwd=str(self.home), timeout=600
            )
        if result.returncode != 0:
            name = " ".join([Path(command[0]).name, *command[1:]])
            raise RuntimeError(f"{name} failed; see {self.log_dir / log_name}")

    def _redis(self) -> Any:
        import redis

        return redis.Redis.from_url(self.redis_url)

    def _check_redis(self) -> None:
        client = self._redis()
        try:
            client.ping()
        except Exception as exc:
            raise RuntimeError(f"Redis does not answer at {self.redis_url}: {exc}") from None
        finally:
            client.close()

    def redis_keys(self) -> list[str]:
        """The broker keys this stack holds now (all under its own prefix)."""
        client = self._redis()
        try:
            return sorted(k.decode() for k in client.scan_iter(match=self.redis_prefix + "*", count=500))
        finally:
            client.close()

    def _clear_redis(self) -> None:
        client = self._redis()
        try:
            keys = list(client.scan_iter(match=self.redis_prefix + "*", count=500))
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
        finally:
            client.close()

    def ping_workers(self, timeout: float = 1.0) -> list[str]:
        """The Celery workers answering a broadcast ping on this stack's broker."""
        from celery import Celery

        app = Celery(
            "newsroom-scale-ping",
            broker=self.redis_url,
            broker_transport_options={"global_keyprefix": self.redis_prefix},
        )
        try:
            replies = app.control.ping(timeout=timeout) or []
            return sorted(name for reply in replies for name in reply)
        finally:
            app.close()

    def wait_ready(self, timeout: float) -> None:
        """Until every component is healthy, the DAGs are parsed, and every worker answers."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        api = None
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")
            try:
                api = api or self.api(wait=5, notify=lambda line: None)  # not up yet is expected here
                health = api.health()
                unhealthy = [k for k, v in health.items() if isinstance(v, dict) and v.get("status") != "healthy"]
                if unhealthy:
                    last = f"waiting for {', '.join(unhealthy)}"
                    time.sleep(1)
                    continue
                for dag_id in self.unpause:
                    api.unpause(dag_id)
                answering = self.ping_workers()
                missing = sorted(set(self.worker_names()) - set(answering))
                if not missing:
                    return
                last = f"waiting for {', '.join(missing)}"
            except Exception as exc:  # not up yet: connection refused, DAG not parsed yet...
                api = None if "did not answer" in str(exc) else api
                last = str(exc)[:300]
            time.sleep(1)
        raise RuntimeError(f"the Celery stack was not ready after {timeout:.0f}s ({last}); see {self.log_dir}")

    def stop(self) -> None:
        """Stop every process (workers first, with a grace for running tasks), drop the databases, clear Redis."""
        from concurrent.futures import ThreadPoolExecutor

        workers = [n for n in self.procs if n.startswith("worker")]
        for group, grace in ((workers, 30.0), (list(self.procs), 20.0)):
            procs = [self.procs.pop(name) for name in group if name in self.procs]
            if procs:
                with ThreadPoolExecutor(len(procs)) as pool:
                    list(pool.map(lambda proc, grace=grace: _stop_group(proc, timeout=grace), procs))
        with contextlib.suppress(Exception):
            from newsroom.store.engine import engine_for

            engine_for.cache_clear()
        try:
            self._drop_databases()
        finally:
            with contextlib.suppress(Exception):
                self._clear_redis()

    # -- using it ----------------------------------------------------------------
    def api(self, **options: Any) -> Any:
        """A REST client for this stack's api-server, logged in as its ``newsroom`` user (``options``: AirflowApi's)."""
        from newsroom.airflow_api import AirflowApi

        options = {"timeout": 30, "who": "the stack's user 'newsroom'", **options}
        api = AirflowApi(self.url, **options)
        api.token = api._login("newsroom", self.auth.passwords["newsroom"])
        return api

    def airflow(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """The airflow CLI against this stack."""
        return subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env(), capture_output=True, text=True,
            cwd=str(self.home), timeout=timeout,
        )  # fmt: skip

    def backfill(self, dag_id: str, first: date, last: date, reprocess: str | None = None) -> dict[str, Any]:
        """``airflow backfill create`` over [first, last]; the backfill as the REST API shows it.

        Airflow allows one running backfill per DAG, and the scheduler stamps a finished one
        ``completed_at`` only every 30 s: a backfill created right after the last one's runs
        finished waits for that stamp (up to ``FINISHING_WAIT`` seconds) instead of being refused.
        """
        api = self.api()
        earlier = self.backfills(api, dag_id)
        deadline = time.monotonic() + FINISHING_WAIT
        while any(b["completed_at"] is None for b in earlier) and time.monotonic() < deadline:
            time.sleep(1)
            earlier = self.backfills(api, dag_id)
        before = {b["id"] for b in earlier}
        args = ["backfill", "create", "--dag-id", dag_id, "--from-date", first.isoformat()]
        args += ["--to-date", last.isoformat()]
        if reprocess:
            args += ["--reprocess-behavior", reprocess]
        result = self.airflow(*args)
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
        created = [b for b in self.backfills(api, dag_id) if b["id"] not in before]
        if not created:
            raise RuntimeError(f"airflow {' '.join(args)} created no backfill:\n{result.stdout[-2000:]}")
        return created[-1]

    @staticmethod
    def backfills(api: Any, dag_id: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"dag_id": dag_id, "limit": 100, "order_by": "id"})
        return list(api._request("GET", f"/api/v2/backfills?{query}")["backfills"])

    def wait_backfill(
        self, backfill: dict[str, Any], timeout: float = 600, progress: bool = False
    ) -> list[dict[str, Any]]:
        """Until every run of the backfill has finished; its DAG runs (one per day that it ran).

        The CLI creates (or, reprocessing, re-queues) every run before it returns, so the backfill is
        done when they all are; the scheduler stamps ``completed_at`` only every 30 s, which is
        waited for only when the backfill has no run at all.
        """
        api = self.api()
        dag_id = backfill["dag_id"]
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            runs = self.backfill_runs(api, backfill)
            if progress:
                states = Counter(r["state"] for r in runs)
                line = ", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "no runs yet"
                if line != shown:
                    print(f"  backfill {backfill['id']} of {dag_id}: {line}", flush=True)
                    shown = line
            if runs and all(r["state"] in ("success", "failed") for r in runs):
                return runs
            if not runs and api._request("GET", f"/api/v2/backfills/{backfill['id']}")["completed_at"] is not None:
                return runs
            time.sleep(1)
        raise RuntimeError(f"backfill {backfill['id']} of {dag_id} not complete after {timeout:.0f}s")

    @staticmethod
    def backfill_runs(api: Any, backfill: dict[str, Any]) -> list[dict[str, Any]]:
        """The backfill's runs: backfill runs of its DAG queued since it was created."""
        dag_id = backfill["dag_id"]
        query = urllib.parse.urlencode({"run_type": "backfill", "limit": 100, "order_by": "-run_after"})
        runs = api._request("GET", f"/api/v2/dags/{dag_id}/dagRuns?{query}")["dag_runs"]
        created = _instant(backfill["created_at"])
        mine = [r for r in runs if r["queued_at"] and _instant(r["queued_at"]) >= created]
        return sorted(mine, key=lambda r: str(r["logical_date"]))

    def task_instance_workers(self, dag_id: str) -> list[dict[str, Any]]:
        """Every task instance of ``dag_id`` with two records of where it ran: the hostname the Task SDK
        reported (``task_instance.hostname``) and the Celery worker that Celery's result row names
        (``celery_taskmeta.worker``, joined on the task instance's ``external_executor_id``)."""
        from sqlalchemy import create_engine, text

        query = text(
            "SELECT ti.run_id, ti.task_id, ti.map_index, ti.state, ti.hostname, ti.try_number, ct.worker"
            " FROM task_instance ti LEFT JOIN celery_taskmeta ct ON ct.task_id = ti.external_executor_id"
            " WHERE ti.dag_id = :dag_id ORDER BY ti.run_id, ti.task_id, ti.map_index"
        )
        engine = create_engine(self.metadata_url)
        try:
            with engine.connect() as conn:
                return [dict(row._mapping) for row in conn.execute(query, {"dag_id": dag_id})]
        finally:
            engine.dispose()

    def write_env_file(self, path: Path | None = None) -> Path:
        """A file to ``source`` for using the airflow CLI (and ``newsroom``) against this stack."""
        path = path or self.folder / "env.sh"
        env = self.env()
        wanted = sorted(k for k in env if k.startswith(("AIRFLOW", "NEWSROOM_")) or k == "PYTHONPATH")
        lines = ["# source this to use the airflow CLI and `newsroom` against the running Celery stack"]
        lines.append(f"export PATH={BIN}:$PATH")
        lines += [f"export {k}={_shell_quote(env[k])}" for k in wanted]
        lines.append(f"export AIRFLOW_CONN_{CONN_ID.upper()}={_shell_quote(self.connection_uri())}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


# -- the archive and the config of the demo and the test --------------------------
def write_config(
    folder: Path,
    base_url: str,
    bucket: str,
    batch_size: int,
    airflow_url: str = "http://localhost:8080",
    files_bucket: str | None = None,
) -> Path:
    """A newsroom.yaml in ``folder``: the shipped one, its state in folder/state, publishing to ``bucket``,
    telling the Airflow at ``airflow_url`` as the user of the connection ``newsroom_airflow``; with
    ``files_bucket``, its own files (archive partitions, quarantine...) in that private bucket, not in a folder."""
    import yaml

    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["site"]["base_url"] = base_url
    data["storage"]["bucket"] = bucket
    data["taxonomy"] = str(DEFAULT_CONFIG.parent / "taxonomy.yaml")
    data["templates"] = str(DEFAULT_CONFIG.parent / "templates")
    for digest_list in data["digest"]["lists"]:  # checked when the config loads
        digest_list["subscribers"] = str(DEFAULT_CONFIG.parent / digest_list["subscribers"])
    data["paths"]["state_dir"] = str(folder / "state")
    data["archive"]["batch_size"] = batch_size
    data["airflow"]["url"] = airflow_url
    data["airflow"]["conn_id"] = CONN_ID
    if files_bucket:
        data["storage"]["files_bucket"] = files_bucket
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "newsroom.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_archive(config: NewsroomConfig, count: int, first: date, days: int, seed: int = 7) -> dict[date, list[str]]:
    """``count`` generated articles (bench.generate) published over ``days`` days from ``first``,
    read as filed Markdown and written into their day partitions (in the config's files: its private
    bucket, or its state folder); the article ids by day."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.append(str(REPO_ROOT))
    from bench.generate import generate_articles, to_markdown
    from newsroom.archive.partitions import day_of, write_article
    from newsroom.ingest.reader import read_article
    from newsroom.resources import files_for

    files = files_for(config)
    tz = config.site.tz
    since = datetime.combine(first, time_of_day(0, 0), tzinfo=tz)
    until = since + timedelta(days=days) - timedelta(hours=2)
    by_day: dict[date, list[str]] = {}
    for generated in generate_articles(count, seed, since=since, until=until):
        data = to_markdown(generated).encode("utf-8")
        article = read_article(data, generated.filename, config)
        source = {"file": generated.filename, "format": "markdown", "sha256": hashlib.sha256(data).hexdigest()}
        write_article(files, config, article, source)
        by_day.setdefault(day_of(config, article), []).append(article.id)
    return dict(sorted(by_day.items()))


def ti_per_worker(task_instances: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(ti.get("hostname") or "?") for ti in task_instances if ti.get("state") is not None)


# -- the demo ------------------------------------------------------------------
def _demo(args: argparse.Namespace) -> int:
    folder = Path(args.folder).resolve()
    lock = folder / "demo.pid"
    if lock.exists():
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.kill(int(lock.read_text().strip()), 0)
            print(f"dev.scalestack: a demo is already running (pid in {lock})", file=sys.stderr)
            return 1
    if folder.exists():  # the demo's own scratch folder: a fresh archive, bucket and Airflow home each time
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    lock.write_text(str(os.getpid()))

    def _interrupt(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    def _handle_signals() -> None:
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)

    _handle_signals()
    started = time.monotonic()
    seaweed = SeaweedServer.on_free_ports(folder / "seaweed")
    bucket = "newsroom-scale"
    stack = CeleryStack(folder, workers=args.workers, concurrency=args.concurrency)
    base_url = f"{seaweed.endpoint}/{bucket}/"
    config_path = write_config(folder, base_url, bucket, args.batch_size, stack.url, files_bucket=f"{bucket}-files")
    config = load_config(config_path)
    conn = "AIRFLOW_CONN_" + config.storage.conn_id.upper()
    stack.extra_env.update({"NEWSROOM_CONFIG": str(config_path), conn: seaweed.connection_uri()})
    os.environ[conn] = seaweed.connection_uri()
    os.environ["NEWSROOM_CONFIG"] = str(config_path)
    try:
        print(f"Starting SeaweedFS (S3 on {seaweed.endpoint})...", flush=True)
        seaweed.start()
        from newsroom.resources import bucket_for

        bucket_for(config).ensure_bucket()
        first = date.fromisoformat(args.first_day)
        by_day = write_archive(config, args.articles, first, args.days, args.seed)
        days = list(by_day)
        print(
            f"Wrote {args.articles} generated articles into {len(days)} day partitions "
            f"({days[0]} .. {days[-1]}) in the private bucket s3://{config.storage.files_bucket}/partitions/; "
            f"each Airflow process has its own state folder under {stack.folder / 'local'}",
            flush=True,
        )
        print(
            f"Starting Airflow on CeleryExecutor ({stack.url}): PostgreSQL {stack.metadata_db} + "
            f"{stack.state_db}, Redis {stack.redis_url} (keys {stack.redis_prefix}*), "
            f"{args.workers} workers x {args.concurrency}...",
            flush=True,
        )
        with stack.running():
            _handle_signals()
            ready = time.monotonic()
            env_file = stack.write_env_file()
            print(f"Stack up in {ready - started:.0f}s; `source {env_file}` to use the airflow CLI against it")
            print(
                f"Airflow UI {stack.url}: log in as admin; this run's passwords are in {stack.auth.passwords_file}"
                " (anyone without them is refused)"
            )
            # "failed": a fresh range runs every day (the DAG's depends_on_past rules out the default "none")
            print(
                f"airflow backfill create --dag-id {BACKFILL_DAG} --from-date {days[0]} --to-date {days[-1]}"
                " --reprocess-behavior failed",
                flush=True,
            )
            backfill = stack.backfill(BACKFILL_DAG, days[0], days[-1], reprocess="failed")
            runs = stack.wait_backfill(backfill, timeout=args.timeout, progress=True)
            done = time.monotonic()
            tis = stack.task_instance_workers(BACKFILL_DAG)
            print(summary(config, stack, runs, tis, backfill_seconds=done - ready, total_seconds=done - started))
            failed = [r for r in runs if r["state"] != "success"]
            if args.keep:
                _handle_signals()
                print("\nRunning. Press Ctrl-C to stop everything.", flush=True)
                while True:
                    time.sleep(3600)
            print("Stopping the stack (dropping its databases and Redis keys)...", flush=True)
        return 1 if failed or not runs else 0
    except KeyboardInterrupt:
        print("\nInterrupted: stopping everything...", flush=True)
        return 130
    finally:
        seaweed.stop()
        lock.unlink(missing_ok=True)


def summary(
    config: NewsroomConfig,
    stack: CeleryStack,
    runs: list[dict[str, Any]],
    tis: list[dict[str, Any]],
    backfill_seconds: float,
    total_seconds: float,
) -> str:
    from newsroom.archive.partitions import root
    from newsroom.resources import bucket_for, files_for
    from newsroom.store import Store

    counts = Store.from_url(stack.state_url).status.counts()
    objects = bucket_for(config).listing()
    files, prefix = files_for(config), root(config) + "/"
    per_worker = ti_per_worker(tis)
    states = Counter(r["state"] for r in runs)
    lines = [
        "",
        "Newsroom scale-out (CeleryExecutor) — summary",
        f"  DAG runs               {len(runs)} ({', '.join(f'{n} {s}' for s, n in sorted(states.items()))})",
        f"  task instances         {len(tis)}",
    ]
    lines += [f"    on {name:<20} {n}" for name, n in sorted(per_worker.items())]
    agree = sum(1 for ti in tis if ti.get("worker") and ti["worker"] == ti.get("hostname"))
    lines.append(f"    (Celery's own record names the same worker for {agree} of {len(tis)})")
    lines += [
        f"  articles published     {counts['published']} (of {counts['articles']} in {stack.state_db})",
        f"  objects in the bucket  {len(objects)} (s3://{config.storage.bucket}/)",
        f"  archive partitions     {len(files.keys(prefix))} ({files.location(prefix)}; no folder shared)",
        f"  backfill took          {backfill_seconds:.0f}s (whole demo {total_seconds:.0f}s)",
        f"  logs                   {stack.log_dir}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.scalestack", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["demo"])
    parser.add_argument("--folder", default=str(REPO_ROOT / "var" / "scale"))
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--first-day", default="2025-06-01")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the backfill")
    parser.add_argument("--keep", action="store_true", help="keep the stack running after the summary")
    args = parser.parse_args(argv)
    try:
        return _demo(args)
    except (RuntimeError, urllib.error.URLError) as exc:
        print(f"dev.scalestack: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
