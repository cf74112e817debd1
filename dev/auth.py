"""Who may use a local Airflow: anyone (all-admins, ``make run`` on loopback only) or named users.

``make run`` and ``make demo`` keep Airflow's simple auth manager in
all-admins mode: no login, everyone is admin, which is tolerable only because
the api-server listens on 127.0.0.1 (``dev.devstack.airflow_env``) and the
start says so in one line (:func:`all_admins_notice`).

Every other stack (the scale-out stack, the authenticated end-to-end tests)
uses :class:`SimpleAuthUsers`: the simple auth manager with users, each with a
password generated for the run (never in code) and written to the passwords
file the api-server reads (``[core] simple_auth_manager_passwords_file``, JSON
``{"user": "password"}``, mode 0600). ``newsroom`` (role ``op``: the least
that may ask for DAG runs, create asset events and backfills) is the user ``newsroom file`` and
the stacks' own REST clients log in as, through the Airflow connection
:data:`CONN_ID` (:meth:`SimpleAuthUsers.connection_uri`); ``admin`` is for a
person in the UI.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

CONN_ID = "newsroom_airflow"  # airflow.conn_id of the configs these stacks write
CLIENT_USER = "newsroom"


def all_admins_notice(url: str) -> str:
    return (
        f"Note: Airflow's UI and API at {url} are open to anyone on this machine, without a login "
        "(all-admins mode, local only: bound to 127.0.0.1); production uses real users (README, Production)."
    )


@dataclass
class SimpleAuthUsers:
    """The simple auth manager with users (``role`` by name), a password per run for each."""

    passwords_file: Path
    roles: dict[str, str] = field(default_factory=lambda: {"admin": "admin", CLIENT_USER: "op"})
    passwords: dict[str, str] = field(default_factory=dict)

    def create(self) -> None:
        """A fresh password for every user, written to the passwords file (readable by us only)."""
        if self.passwords:
            return
        self.passwords = {user: secrets.token_urlsafe(18) for user in self.roles}
        self.passwords_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.passwords, out)
            out.write("\n")

    def env(self) -> dict[str, str]:
        """What every Airflow process of the stack gets: users on, all-admins off."""
        self.create()
        return {
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in self.roles.items()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_file),
        }

    def connection_uri(self, api_url: str, user: str = CLIENT_USER) -> str:
        """The Airflow connection (JSON form) ``newsroom file`` logs in with: the api-server and a user."""
        self.create()
        parts = urllib.parse.urlsplit(api_url)
        return json.dumps(
            {
                "conn_type": "http",
                "host": parts.hostname,
                "port": parts.port,
                "schema": parts.scheme,
                "login": user,
                "password": self.passwords[user],
            }
        )
