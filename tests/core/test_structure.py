"""Structural rules that keep the plugin boundary and the committed artefacts honest."""

from __future__ import annotations

import ast
import importlib
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from pawbench import hookspecs
from pawbench.cli.app import run_cli

ROOT = Path(__file__).resolve().parents[2]
BUILTINS = ROOT / "plugins" / "pawbench_builtins"
EXAMPLES = ROOT / "plugins" / "examples"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DECLARED: dict[str, str] = PYPROJECT["project"]["entry-points"]["pawbench"]


def _plugin_sources() -> Iterator[Path]:
    """Every Python file of the built-ins and of the example plugins."""
    yield from sorted(BUILTINS.rglob("*.py"))
    yield from sorted(EXAMPLES.glob("*/src/**/*.py"))


def _core_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import of the ``pawbench`` core in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "pawbench":
                for alias in node.names:
                    yield node.lineno, f"pawbench.{alias.name}"
            else:
                yield node.lineno, node.module


def _is_core(module: str) -> bool:
    return module == "pawbench" or module.startswith("pawbench.")


def test_plugins_import_only_the_public_api() -> None:
    sources = list(_plugin_sources())
    assert sources, "no plugin sources found"
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sources
        for line, module in _core_imports(path)
        if _is_core(module) and module != "pawbench.api"
    ]
    assert not offenders, "plugins may import only pawbench.api:\n" + "\n".join(offenders)


def _defines_hookimpl(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = target.attr if isinstance(target, ast.Attribute) else None
                name = target.id if isinstance(target, ast.Name) else name
                if name == "hookimpl":
                    return True
    return False


def _module_name(path: Path) -> str:
    parts = path.relative_to(BUILTINS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_builtin_hookimpl_module_is_an_entry_point() -> None:
    declared = {target.split(":")[0] for target in DECLARED.values()}
    modules = [_module_name(p) for p in sorted(BUILTINS.rglob("*.py")) if _defines_hookimpl(p)]
    assert modules, "no built-in module defines a hookimpl"
    missing = sorted(set(modules) - declared)
    assert not missing, (
        "built-in modules with @hookimpl that pyproject.toml does not declare under "
        f"[project.entry-points.pawbench]: {missing}"
    )


@pytest.mark.parametrize("entry_point", sorted(DECLARED))
def test_every_declared_entry_point_imports_and_implements_hooks(entry_point: str) -> None:
    module_name, _, attr = DECLARED[entry_point].partition(":")
    plugin = importlib.import_module(module_name)
    if attr:
        plugin = getattr(plugin, attr)
    impls = [name for name in dir(plugin) if hasattr(getattr(plugin, name), "pawbench_impl")]
    assert impls, f"entry point {entry_point!r} ({module_name}) implements no hook"
    unknown = sorted(set(impls) - set(hookspecs.HOOK_KINDS))
    assert not unknown, f"{module_name} implements hooks that do not exist: {unknown}"


def test_installed_entry_points_match_pyproject() -> None:
    installed = {
        ep.name: ep.value
        for ep in metadata.distribution("pawbench").entry_points
        if ep.group == "pawbench"
    }
    assert installed == DECLARED, (
        "the installed pawbench metadata is stale: re-run `.venv/bin/pip install -e .`"
    )


def _hookspec_signatures() -> dict[str, str]:
    path = Path(hookspecs.__file__)
    tree = ast.parse(path.read_text(), filename=str(path))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Name) and d.id == "hookspec" for d in node.decorator_list
        ):
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            found[node.name] = f"def {node.name}({ast.unparse(node.args)}){returns}"
    return found


def test_every_hookspec_is_documented_with_its_signature() -> None:
    signatures = _hookspec_signatures()
    assert set(signatures) == set(hookspecs.HOOK_KINDS)
    docs = (ROOT / "docs" / "plugins.md").read_text()
    missing = [sig for sig in signatures.values() if sig not in docs]
    assert not missing, "docs/plugins.md lacks these hookspec signatures:\n" + "\n".join(missing)


def test_committed_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["scenarios", "schema"]) == 0
    generated = capsys.readouterr().out
    committed = ROOT / "docs" / "scenario.schema.json"
    assert committed.exists() and committed.read_text() == generated, (
        "docs/scenario.schema.json is not current; regenerate it with\n"
        "    .venv/bin/pawbench scenarios schema > docs/scenario.schema.json"
    )
