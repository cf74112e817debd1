"""Every object of the samples' bucket, after the whole pipeline ran with a fixed clock: to byte-compare two trees.

``python -m dev.snapshot OUT.json`` files the samples (dated the day before
the clock), runs ingest to publish twice, plans and sends the social posts,
builds and publishes the digest, takes one article down and rebuilds the
whole site, all against a fresh SeaweedFS on free loopback ports; then
writes each task's result and each object's MD5, size, content type and
cache header. Two checkouts that publish the same bytes write the same
file (the outbox documents' ``written_at``, the one clock-stamped field, is
left out). A refactor that changes no behaviour is checked this way::

    git worktree add /tmp/before <commit> && (cd /tmp/before && python -m dev.snapshot /tmp/a.json)
    python -m dev.snapshot /tmp/b.json && cmp /tmp/a.json /tmp/b.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from dev.devstack import SeaweedServer, fresh_samples
from newsroom.config import REPO_ROOT, parse_config
from newsroom.phases import digest, distribute, ingest, takedown
from newsroom.resources import bucket_for

NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
BASE_URL = "https://snapshot.example.org/"


def snapshot(work: Path) -> dict[str, Any]:
    server = SeaweedServer.on_free_ports(work / "weed")
    server.start()
    try:
        os.environ["AIRFLOW_CONN_NEWSROOM_S3"] = server.connection_uri()
        source = REPO_ROOT / "include" / "newsroom.yaml"
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["site"]["base_url"] = BASE_URL  # not the server's port: the same bytes on every run
        data.setdefault("storage", {})["bucket"] = "snapshot"
        config = parse_config(data, source, state_dir=work / "state")
        day = (NOW - timedelta(days=1)).date()
        fresh_samples(REPO_ROOT / "include" / "samples", config.inbox_dir, day, config.site.tz)
        out: dict[str, Any] = {"process": ingest.process(config, run_id="snapshot-1", now=NOW)}
        out["process_again"] = ingest.process(config, run_id="snapshot-2", now=NOW + timedelta(minutes=1))
        later = NOW + timedelta(minutes=5)
        out["plan"] = distribute.plan(config, now=later)
        out["send"] = {c.name: distribute.send(c.name, config, now=later) for c in config.channels}
        built = digest.build(day=date.isoformat(day), config=config, now=later)
        out["digest"] = {k: v for k, v in built.items() if k != "build"}
        out["digest_page"] = digest.publish_page(built, config=config)
        first = sorted(out["process"]["ingest"]["ids"])[0]
        out["takedown"] = takedown.takedown(first, reason="snapshot", by="snapshot", config=config, now=later)
        rebuilt = ingest.render([], "snapshot-full", full=True, config=config, now=later)
        out["rebuild"] = ingest.publish_build(rebuilt["build"], config, now=later)
        out["objects"] = _objects(config)
        return out
    finally:
        server.stop()


def _objects(config: Any) -> dict[str, dict[str, Any]]:
    bucket = bucket_for(config)
    objects = {}
    for key in sorted(bucket.listing()):
        got = bucket.get(key)
        body: bytes = got["Body"].read()
        if key.startswith("_outbox/"):
            doc = json.loads(body)
            doc.pop("written_at", None)
            body = json.dumps(doc, sort_keys=True).encode("utf-8")
        objects[key] = {
            "md5": hashlib.md5(body, usedforsecurity=False).hexdigest(),
            "bytes": len(body),
            "type": got.get("ContentType"),
            "cache": got.get("CacheControl"),
        }
    return objects


def main() -> None:
    parser = argparse.ArgumentParser(prog="dev.snapshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the JSON file to write")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsroom-snapshot-"))
    os.environ.setdefault("AIRFLOW_HOME", str(work / "airflow"))
    try:
        result = snapshot(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(result, indent=1, sort_keys=True, default=str).replace(str(work), "WORK")
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(f"{len(result['objects'])} objects -> {args.out}")


if __name__ == "__main__":
    main()
