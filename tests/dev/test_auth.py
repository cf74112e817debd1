"""Who may get into the dev stacks' Airflow: anyone only for ``make run`` (all-admins, bound to loopback),
otherwise the simple auth manager's users with a password per run in a file only we can read."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from dev.auth import CLIENT_USER, SimpleAuthUsers
from dev.devstack import AirflowStandalone, airflow_env


def test_make_run_is_all_admins_on_loopback_only(tmp_path: Path) -> None:
    env = AirflowStandalone(tmp_path / "airflow", 18080).env()
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "True"
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS" not in env


def test_a_stack_with_users_has_a_fresh_password_each_and_no_all_admins(tmp_path: Path) -> None:
    auth = SimpleAuthUsers(tmp_path / "passwords.json")
    env = airflow_env({}, tmp_path / "airflow", "http://localhost:18081", "jwt", auth)
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "False"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin,newsroom:op"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(auth.passwords_file)
    # the file the api-server reads: JSON {"user": "password"}, readable by us only
    assert json.loads(auth.passwords_file.read_text()) == auth.passwords
    assert stat.S_IMODE(auth.passwords_file.stat().st_mode) == 0o600
    other = SimpleAuthUsers(tmp_path / "other.json")
    other.create()
    assert len(set(auth.passwords.values()) | set(other.passwords.values())) == 4, "a password per user and run"

    conn = json.loads(auth.connection_uri("http://localhost:18081"))
    assert (conn["host"], conn["port"], conn["schema"]) == ("localhost", 18081, "http")
    assert (conn["login"], conn["password"]) == (CLIENT_USER, auth.passwords[CLIENT_USER])
