"""The desk's watchdog (DAG ``desk_watchdog``, every two minutes): what should have happened and did
not, told to a person once, through an Airflow notifier (``SmtpNotifier`` with ``alerts.conn_id``).

- an article due more than ``alerts.due_grace_minutes`` ago (its ``publish_at``/embargo passed, or
  filed without one) that is not published: stuck, refused at render or publish, or never run;
- a social delivery in state ``unknown`` (posted or not? a person must check, then release);
- the daily digest of yesterday not sent to a list by ``alerts.digest_by`` (06:15) in its zone.

Each problem has a key; the ``alerts`` table remembers which were told, so a rerun or the next
check sends nothing again. The DAGs' own ``DeadlineAlert``s (a run that does not finish in time)
use :func:`deadline_notifier`.
"""

from __future__ import annotations

import asyncio
import html
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsroom import assets
from newsroom.config import NewsroomConfig, get_config
from newsroom.resources import open_store
from newsroom.store import Store, utcnow

DONE_DIGEST_STATES = ("sent", "empty")


def check(config: NewsroomConfig, now: datetime, store: Store | None = None) -> dict[str, str]:
    """Every problem now, by key (one line each); nothing is sent or recorded."""
    store = store or open_store(config)
    tz = config.site.tz
    found: dict[str, str] = {}
    cutoff = now - timedelta(minutes=config.alerts.due_grace_minutes)
    for row in store.status.overdue(cutoff):
        due = (row.visible_from or row.filed_at).astimezone(tz)
        found[f"overdue:{row.id}:{row.version}"] = (
            f"{row.id} (version {row.version}) was due at {due:%Y-%m-%d %H:%M} and is not live: status {row.status}"
        )
    for delivery in store.status.deliveries_to_check():
        if delivery.state == "unknown":
            found[f"unknown:{delivery.id}"] = (
                f"delivery #{delivery.id} of {delivery.article_id} to {delivery.channel}: posted or not is unknown"
                f" ({delivery.reason}); check the platform, then release it on the desk or with newsroom deliveries"
            )
    if config.digest.enabled and config.digest.lists:
        zone = ZoneInfo(assets.DIGEST_ZONE)
        local = now.astimezone(zone)
        hour, minute = (int(part) for part in config.alerts.digest_by.split(":"))
        if local.time() >= time(hour, minute):
            day = (local.date() - timedelta(days=1)).isoformat()
            for listed in config.digest.lists:
                state = store.digests.send_state(day, listed.name)
                if state not in DONE_DIGEST_STATES:
                    found[f"digest:{day}:{listed.name}"] = (
                        f"the digest of {day} is not sent to list {listed.name} by {config.alerts.digest_by}"
                        f" ({assets.DIGEST_ZONE}): {state or 'not started'}"
                    )
    return found


def run(config: NewsroomConfig | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Check, then tell what was not told yet (one mail), then remember it."""
    config = config or get_config()
    now = now or utcnow()
    store = open_store(config)
    found = check(config, now, store)
    new = {key: found[key] for key in sorted(store.alerts.unsent(found))}
    if new and config.alerts.to:
        notify(config, f"Newsroom: {len(new)} problem(s) need a person", list(new.values()))
        store.alerts.record(new, now)
    return {"problems": len(found), "alerted": sorted(new) if config.alerts.to else [], "to": config.alerts.to}


def notify(config: NewsroomConfig, subject: str, lines: list[str]) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier  # the notifier only when there is news

    body = "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
    body += f"<p>The desk: {html.escape(config.airflow.url)}/newsroom/desk</p>"
    SmtpNotifier(
        to=config.alerts.to,
        from_email=config.alerts.sender,
        subject=subject,
        html_content=body,
        smtp_conn_id=config.alerts.conn_id,
    ).notify({})


async def deadline_missed(dag_id: str, minutes: float, context: Any = None) -> None:
    """The callback of the DAGs' ``DeadlineAlert``s (run in Airflow's triggerer): a run of ``dag_id`` not
    done ``minutes`` after it was queued, told to ``alerts.to`` through the same notifier."""
    config = get_config()
    if not config.alerts.to:
        return
    run_id = ""
    if isinstance(context, dict):  # what the scheduler sends: {"dag_run": DAGRunResponse's JSON, "deadline": {...}}
        run = context.get("dag_run")
        if isinstance(run, dict):
            run_id = str(run.get("dag_run_id") or run.get("run_id") or "")
    line = f"a run of {dag_id} {run_id} is not done {minutes:g} minutes after it was queued".replace("  ", " ")
    await asyncio.to_thread(notify, config, f"Newsroom: {dag_id} is late", [line])
