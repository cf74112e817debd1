"""The quick commands import only what they need: ``status`` and ``schedule`` read the state database
and print; they never load spaCy, Airflow, boto3 or the phases (rendering, publishing) (which cost seconds
before the first line). Checked in a fresh interpreter's ``sys.modules``, not by the clock."""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsroom.cli import build_parser, command_of
from tests.support.paths import CONFIG_FILE, SAMPLES_DIR

HEAVY = ("spacy", "airflow", "boto3", "newsroom.phases")

SCRIPT = """
import json, sys
from newsroom.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:  # --help
    code = exit.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "airflow", "boto3") or m.startswith("newsroom."))
print(json.dumps({"code": code, "modules": loaded}))
"""


def _modules(argv: list[str], state: Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--config", str(CONFIG_FILE), *argv],
        env={"PATH": "/usr/bin:/bin", "NEWSROOM_STATE_DIR": str(state), "HOME": str(state)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["status", "benin-motos-godomey"], ["schedule"], ["deliveries"]],
    ids=["help", "status", "schedule", "deliveries"],
)
def test_the_quick_commands_load_no_heavy_module(argv: list[str], tmp_path: Path) -> None:
    code, modules = _modules(argv, tmp_path / "state")
    assert code in (0, 1)  # status of an unknown id says so and exits 1
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not heavy, f"newsroom {' '.join(argv)} imported {heavy}"


@pytest.mark.parametrize(("flags", "unwanted"), [([], ("airflow", "boto3")), (["--no-tags"], ("airflow", "spacy"))])
def test_preview_loads_no_airflow_and_without_tags_no_spacy(
    flags: list[str], unwanted: tuple[str, ...], tmp_path: Path
) -> None:
    page = tmp_path / "preview.html"
    sample = SAMPLES_DIR / "benin-motos-godomey.md"
    code, modules = _modules(["preview", str(sample), "-o", str(page), *flags], tmp_path / "state")
    assert code == 0 and b"<h1" in page.read_bytes()
    assert not [m for m in modules if m.split(".")[0] in unwanted]


def test_every_command_names_a_function_of_a_cli_module() -> None:
    """The command table names each command's function by module and name (imported when it runs)."""
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert action.choices
    for name, sub in action.choices.items():
        module, function = command_of(sub.get_default("run"))
        assert module.startswith("newsroom.cli."), name
        target = getattr(importlib.import_module(module), function)
        assert inspect.isfunction(target) and list(inspect.signature(target).parameters) == ["args", "config"], name
