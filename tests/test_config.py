"""The newsroom YAML: the shipped file loads; every error names the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from newsroom.config import DEFAULT_CONFIG, ConfigError, load_config, parse_config

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED = REPO_ROOT / "include" / "newsroom.yaml"
SECTIONS = ["news", "diplomatie", "politique", "societe", "faits-divers", "education", "economie", "sport", "culture"]


@pytest.fixture(autouse=True)
def _no_newsroom_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSROOM_CONFIG", "NEWSROOM_STATE_DIR", "NEWSROOM_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data() -> dict[str, Any]:
    """The shipped file, the files it points at named absolutely (so a copy in a temp folder loads)."""
    loaded = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return absolute(loaded)


def absolute(data: dict[str, Any]) -> dict[str, Any]:
    data["taxonomy"] = str(SHIPPED.parent / data.get("taxonomy", "taxonomy.yaml"))
    data["templates"] = str(SHIPPED.parent / data.get("templates", "templates"))
    for digest_list in data.get("digest", {}).get("lists", []):
        digest_list["subscribers"] = str(SHIPPED.parent / digest_list["subscribers"])
    return data


def write(folder: Path, content: dict[str, Any] | str, name: str = "newsroom.yaml") -> Path:
    path = folder / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


# -- the shipped file ------------------------------------------------------------


def test_the_shipped_file_loads() -> None:
    config = load_config(SHIPPED)

    assert DEFAULT_CONFIG == SHIPPED
    assert config.source == SHIPPED.resolve()
    assert config.site.name == "L'Écho du Golfe"
    assert config.site.base_url == "http://127.0.0.1:8333/newsroom-site/"
    assert config.site.timezone == "Africa/Porto-Novo"
    assert config.site.tz == ZoneInfo("Africa/Porto-Novo")
    assert config.site.max_body_bytes == 2_000_000
    assert config.section_slugs == SECTIONS
    assert config.section("diplomatie").parent == "news"
    assert config.section("economie").name == "Économie"
    assert config.storage.bucket == "newsroom-site"
    assert config.storage.prefix == ""
    assert config.database.url is None
    assert config.database.conn_id is None
    assert config.state_dir == (REPO_ROOT / "var").resolve()
    assert config.taxonomy_path == (REPO_ROOT / "include" / "taxonomy.yaml").resolve()
    assert config.taxonomy_path.is_file()
    assert config.templates_path.is_dir()
    assert config.inbox_dir == config.state_dir / "inbox"
    assert config.quarantine_dir == config.state_dir / "quarantine"
    assert config.archive_dir == config.state_dir / "archive"
    with pytest.raises(KeyError):
        config.section("sports")


def test_without_a_path_the_default_or_newsroom_config_is_read(
    tmp_path: Path, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_config().source == SHIPPED.resolve()

    data["site"]["name"] = "Autre titre"
    other = write(tmp_path, data)
    monkeypatch.setenv("NEWSROOM_CONFIG", str(other))
    assert load_config().site.name == "Autre titre"


def test_state_dir_and_database_url(tmp_path: Path, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config(data, SHIPPED, state_dir=tmp_path)
    assert config.state_dir == tmp_path.resolve()
    assert config.database_url() == f"sqlite:///{tmp_path.resolve() / 'newsroom.db'}"

    monkeypatch.setenv("NEWSROOM_STATE_DIR", str(tmp_path / "env-state"))
    assert parse_config(data, SHIPPED).state_dir == (tmp_path / "env-state").resolve()

    data["database"]["url"] = "postgresql://db.example/newsroom"
    assert parse_config(data, SHIPPED, state_dir=tmp_path).database_url() == "postgresql://db.example/newsroom"

    monkeypatch.setenv("NEWSROOM_DATABASE_URL", "sqlite:////elsewhere/x.db")
    assert parse_config(data, SHIPPED, state_dir=tmp_path).database_url() == "sqlite:////elsewhere/x.db"


def test_values_are_normalised(data: dict[str, Any], tmp_path: Path) -> None:
    data["site"]["base_url"] = "https://www.example.bj"
    data["storage"]["prefix"] = "/site/fr/"

    config = parse_config(data, SHIPPED, state_dir=tmp_path)

    assert config.site.base_url == "https://www.example.bj/"
    assert config.storage.prefix == "site/fr/"


def test_defaults_fill_optional_keys(tmp_path: Path) -> None:
    minimal = {
        "site": {"name": "Le Quotidien", "base_url": "https://q.example/"},
        "sections": [{"slug": "news", "name": "News"}],
        "storage": {"bucket": "site"},
    }
    config = load_config(write(tmp_path, absolute(minimal)))

    assert config.site.timezone == "UTC"
    assert config.site.language == "fr"
    assert config.site.page_size == 20
    assert config.storage.conn_id == "newsroom_s3"
    assert config.airflow.inbox_asset == "newsroom://inbox"
    assert config.state_dir == (tmp_path.parent / "var").resolve()


# -- errors name the file and the key ---------------------------------------------


def test_unknown_key(tmp_path: Path, data: dict[str, Any]) -> None:
    data["site"]["nme"] = "Typo"

    message = load_error(write(tmp_path, data))

    assert "  site.nme: unknown key (check its spelling)" in message


def test_unknown_top_level_key(tmp_path: Path, data: dict[str, Any]) -> None:
    data["sectons"] = []

    message = load_error(write(tmp_path, data))

    assert "  sectons: unknown key (check its spelling)" in message


def test_missing_required_key(tmp_path: Path, data: dict[str, Any]) -> None:
    del data["site"]["base_url"]

    message = load_error(write(tmp_path, data))

    assert "  site.base_url: required key is missing" in message


def test_bad_base_url(tmp_path: Path, data: dict[str, Any]) -> None:
    data["site"]["base_url"] = "www.example.bj"

    message = load_error(write(tmp_path, data))

    assert "site.base_url: " in message
    assert "expected an absolute http(s) URL" in message


def test_bad_timezone(tmp_path: Path, data: dict[str, Any]) -> None:
    data["site"]["timezone"] = "Africa/Atlantis"

    message = load_error(write(tmp_path, data))

    assert "site.timezone: " in message
    assert "expected an IANA time zone such as Africa/Porto-Novo, got 'Africa/Atlantis'" in message


def test_section_parent_that_does_not_exist(tmp_path: Path, data: dict[str, Any]) -> None:
    data["sections"].append({"slug": "cyclisme", "name": "Cyclisme", "parent": "sports"})

    message = load_error(write(tmp_path, data))

    assert "sections.9.parent: unknown section 'sports' (known: news, diplomatie," in message


def test_duplicate_section_slug(tmp_path: Path, data: dict[str, Any]) -> None:
    data["sections"].append({"slug": "sport", "name": "Sport (bis)"})

    message = load_error(write(tmp_path, data))

    assert "sections.9.slug: duplicate section slug 'sport'" in message


@pytest.mark.parametrize("slug", ["Sport", "sport pro", "-sport", "news\n"])
def test_section_slug_must_be_a_slug(tmp_path: Path, data: dict[str, Any], slug: str) -> None:
    data["sections"].append({"slug": slug, "name": "Autre"})

    message = load_error(write(tmp_path, data))

    assert "sections.9.slug: " in message
    assert "expected a lowercase slug" in message


def test_no_sections(tmp_path: Path, data: dict[str, Any]) -> None:
    data["sections"] = []

    message = load_error(write(tmp_path, data))

    assert "  sections: " in message


def test_storage_prefix_cannot_climb(tmp_path: Path, data: dict[str, Any]) -> None:
    data["storage"]["prefix"] = "site/../../other"

    message = load_error(write(tmp_path, data))

    assert "storage.prefix: " in message
    assert "without '..'" in message


def test_several_errors_are_listed_together(tmp_path: Path, data: dict[str, Any]) -> None:
    data["site"]["nme"] = "Typo"
    data["site"]["page_size"] = 0
    del data["storage"]["bucket"]

    message = load_error(write(tmp_path, data))

    lines = message.splitlines()
    assert lines[0] == f"{tmp_path / 'newsroom.yaml'}: invalid newsroom configuration"
    assert any(line.startswith("  site.page_size: ") for line in lines)
    assert "  storage.bucket: required key is missing" in lines
    assert "  site.nme: unknown key (check its spelling)" in lines


def test_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, "site:\n  name: [L'Écho\n  base_url: x\n"))

    assert "not valid YAML" in message
    assert "line 2, column 9: a bracket opened here is never closed" in message  # where the mistake is, not EOF


def test_an_impossible_yaml_date_is_a_config_error(tmp_path: Path, data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True).replace("description:", "description: 2025-13-45\n  old:", 1)

    message = load_error(write(tmp_path, text))

    assert "not valid YAML: month must be in 1..12" in message


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "list"), ("juste du texte\n", "str"), ("", "NoneType")])
def test_a_file_that_is_not_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    message = load_error(write(tmp_path, text))

    assert message.endswith(f"expected a mapping at the top level, got {kind}")


def test_a_missing_file(tmp_path: Path) -> None:
    message = load_error(tmp_path / "absent.yaml")

    assert message == f"{tmp_path / 'absent.yaml'}: configuration file not found"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("site:\n  name: L'Écho\n".encode("latin-1"))

    message = load_error(path)

    assert message == f"{path}: not UTF-8 text (invalid continuation byte at byte 16)"
