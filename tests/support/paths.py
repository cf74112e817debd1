"""Where the repository's shipped files are: the configuration, the taxonomy, the samples."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INCLUDE_DIR = REPO_ROOT / "include"
CONFIG_FILE = INCLUDE_DIR / "newsroom.yaml"
TAXONOMY_FILE = INCLUDE_DIR / "taxonomy.yaml"
SAMPLES_DIR = INCLUDE_DIR / "samples"
SAMPLES = SAMPLES_DIR
