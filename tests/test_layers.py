"""The package's import contracts, read from the source: what a line may touch.

- Libraries import downwards only (:data:`LAYERS`, lowest first): a module may
  import its own layer and the layers below it, never above. ``resources``
  (config -> handles) sits above every library; ``phases`` (the task bodies)
  above it; ``cli`` on top.
- Only ``phases``, ``cli`` and ``web`` use ``resources``; nothing but ``cli``, ``web``
  (the HTTP API) and the DAG files, outside the package, imports ``phases``.
- No import circle between the package's modules, counting imports written
  inside functions too; and no ``newsroom`` import inside a function at all
  (one would hide a circle or a layer break from a reader of the header).
  One narrow exception, by name rather than by ``import``: the ``newsroom``
  command imports the module of the subcommand it runs (``importlib``, in
  ``newsroom/cli/__init__.py`` only, and only ``newsroom.cli`` modules: the
  table in ``cli/parser.py``), so a quick command never pays for the heavy
  imports of the others; the headers of those modules say what each touches.
- The DAG files import only the light ``assets`` and ``contracts`` at parse
  time and call one phase per task; ``dev/`` is never imported by the package.
- No module of the package over :data:`MAX_LINES` lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "plugins" / "newsroom"
MAX_LINES = 420

LAYERS: list[set[str]] = [
    {"text", "yamltext", "contracts", "assets", "services", "preview_links", "files"},
    {"models", "taxonomy", "subscribers", "preflight", "config"},  # the files config points at, checked when it loads
    # channels: config in, platforms out; no store
    {"countries", "bodies", "airflow_tokens", "airflow_api", "channels"},
    {"store"},
    {"ingest", "archive", "enrich"},
    {"render"},
    {"publish"},
    {"distribute", "digest"},
    {"resources"},
    {"phases"},
    {"cli", "web"},  # the two faces: the command and the HTTP API (newsroom.web), neither imports the other
]


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. newsroom.phases.ingest
    target: str  # the imported module, e.g. newsroom.store
    line: int
    local: bool  # written inside a function

    def __str__(self) -> str:
        path = self.source.replace(".", "/")
        return f"plugins/{path}.py:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    in_function = {
        id(inner)
        for func in ast.walk(tree)
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
        for inner in ast.walk(func)
    }
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # "from newsroom.cli import archive" imports the submodule newsroom.cli.archive
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in dict.fromkeys(targets):
            if target == "newsroom" or target.startswith("newsroom."):
                yield Import(name, _known_prefix(target, known), getattr(node, "lineno", 0), id(node) in in_function)


def _known_prefix(target: str, known: set[str]) -> str:
    while target not in known and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def graph() -> list[Import]:
    found = modules()
    known = set(found)
    return [imp for name, path in found.items() for imp in imports_of(path, name, known)]


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if top(module) in names:
            return index
    raise AssertionError(f"{module} belongs to no layer of tests/test_layers.py: add it to LAYERS")


def test_every_module_has_a_layer() -> None:
    for name in modules():
        if name != "newsroom":
            layer(name)


def test_libraries_import_downwards_only() -> None:
    broken = [
        f"{imp} (layer {layer(imp.target)} above {layer(imp.source)})"
        for imp in graph()
        if imp.target != "newsroom" and imp.source != "newsroom" and layer(imp.target) > layer(imp.source)
    ]
    assert not broken, "imports reaching up the layers:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("resources", {"phases", "cli", "web", "resources"}),
        ("phases", {"phases", "cli", "web"}),
        ("cli", {"cli"}),
        ("web", {"web"}),
    ],
)
def test_who_may_import_the_orchestration(target: str, allowed: set[str]) -> None:
    broken = [str(imp) for imp in graph() if top(imp.target) == target and top(imp.source) not in allowed]
    assert not broken, f"only {sorted(allowed)} may import newsroom.{target}:\n" + "\n".join(broken)


# the one deferred import: Airflow loads plugins in every process (a task's too), the app only serves
# in the api-server, so the plugin builds it at its first request (plugins/newsroom/web/plugin.py)
DEFERRED = {("newsroom.web.plugin", "newsroom.web.app")}


def test_no_newsroom_import_inside_a_function() -> None:
    local = [str(imp) for imp in graph() if imp.local and (imp.source, imp.target) not in DEFERRED]
    assert not local, "function-local imports of the package (move them to the module header):\n" + "\n".join(local)


def test_modules_are_imported_by_name_only_by_the_command_table() -> None:
    """``importlib.import_module`` would hide an import from every rule above: only ``newsroom.cli.main``
    uses it, for the ``newsroom.cli`` modules its command table names (``tests/cli/test_startup.py``)."""
    users = sorted(
        str(path.relative_to(REPO))
        for path in PACKAGE.rglob("*.py")
        if any(call in path.read_text(encoding="utf-8") for call in ("import_module", "__import__"))
    )  # importlib.util.find_spec (the configuration's check that a model is installed) imports nothing
    assert users == ["plugins/newsroom/cli/__init__.py"], users
    table = (PACKAGE / "cli" / "parser.py").read_text(encoding="utf-8")
    named = {n.value for n in ast.walk(ast.parse(table)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    named_modules = {v for v in named if v.startswith("newsroom.")}
    assert named_modules and all(m.startswith("newsroom.cli.") and m in modules() for m in named_modules), named_modules


def test_no_import_circle() -> None:
    edges: dict[str, set[str]] = {}
    for imp in graph():
        if imp.source != imp.target and imp.target != "newsroom":
            edges.setdefault(imp.source, set()).add(imp.target)
    # a package's __init__ re-exporting its submodules is not a circle with them
    for source, targets in edges.items():
        edges[source] = {t for t in targets if not source.startswith(t + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_package_never_imports_dev_tooling() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "dev" or n.startswith(("dev.", "bench", "tests")) for n in names), (
                f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)} imports development tooling"
            )


def test_dag_files_are_wiring() -> None:
    """At parse time a DAG file imports Airflow's SDK and our light modules; each task calls one phase."""
    for path in sorted((REPO / "dags").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("newsroom"):
                assert node.module in ("newsroom", "newsroom.contracts"), f"{path.name}: imports {node.module}"
                if node.module == "newsroom":
                    assert [a.name for a in node.names] == ["assets"], f"{path.name}: imports newsroom names"
        local = [
            n.module
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.col_offset > 0 and (n.module or "").startswith("newsroom")
        ]
        assert local, f"{path.name} calls no phase"
        assert all(m == "newsroom.phases" for m in local), f"{path.name}: tasks import {local}, not a phase"


def test_no_module_is_a_thousand_liner() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: split them by what they do: {long}"


def test_tests_share_helpers_through_support() -> None:
    """A test module imports another folder's helpers only from tests/support/, never a test module's privates."""
    tests = REPO / "tests"
    broken = []
    for path in sorted(tests.rglob("*.py")):
        folder = ".".join(path.parent.relative_to(REPO).parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                module = node.module or ""
                own = module.rsplit(".", 1)[0] == folder and not module.rsplit(".", 1)[1].startswith("test_")
                if not (module.startswith("tests.support") or own):
                    broken.append(f"{path.relative_to(REPO)}:{node.lineno} imports {module}")
    assert not broken, "shared test helpers belong in tests/support/:\n" + "\n".join(broken)
