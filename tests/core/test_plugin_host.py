"""The plugin host with real (throwaway) distributions found through importlib.metadata.

Anything that discovers entry points runs the real CLI in a subprocess with the distributions'
folder on PYTHONPATH, so the test process never sees them. The in-process tests hand the host
the distributions' entry points explicitly and drop the imported modules afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pawbench.errors import PluginError
from pawbench.plugins import PluginHost

if TYPE_CHECKING:
    from tests.conftest import RunPawbench
    from tests.core.conftest import FakeDist, MakeDist


def scorer_module(class_name: str, scorer_name: str) -> str:
    """Source of a plugin module offering one scorer."""
    return f'''
        from pawbench.api import Score, Scorer, SessionView, hookimpl


        class {class_name}(Scorer):
            """Scorer {scorer_name} of a test plugin."""

            name = "{scorer_name}"

            def score(self, view: SessionView) -> list[Score]:
                return []


        @hookimpl
        def pawbench_register_scorers():
            return [{class_name}]
    '''


def _env(*dists: FakeDist, **extra: str) -> dict[str, str]:
    paths = sorted({str(d.root) for d in dists})
    return {"PYTHONPATH": ":".join(paths), **extra}


def _listing(run_pawbench: RunPawbench, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    proc = run_pawbench("plugins", "list", "--json", env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _component(listing: dict[str, Any], **match: str) -> list[dict[str, Any]]:
    return [c for c in listing["components"] if all(c[k] == v for k, v in match.items())]


def _plugin(listing: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in listing["plugins"] if p["name"] == name]
    return dict(found)


# --- a plugin that fails to import ---


@pytest.fixture
def broken(make_dist: MakeDist) -> FakeDist:
    return make_dist(
        "broken-plugin",
        "0.3",
        {"broken_plugin_mod": "raise ImportError('needs the frobnicator package')\n"},
        {"broken": "broken_plugin_mod"},
    )


def test_failed_import_is_listed_with_its_reason(
    broken: FakeDist, run_pawbench: RunPawbench
) -> None:
    code, listing = _listing(run_pawbench, _env(broken))
    assert code == 0
    assert _plugin(listing, "broken") == {
        "name": "broken",
        "distribution": "broken-plugin",
        "version": "0.3",
        "status": "failed",
        "error": "ImportError: needs the frobnicator package",
    }
    (row,) = _component(listing, plugin="broken")
    assert (row["status"], row["error"]) == ("failed", "ImportError: needs the frobnicator package")
    # the built-ins are untouched by a broken neighbour
    assert _component(listing, kind="reporter", name="json", status="loaded")


def test_failed_import_in_the_table_and_as_a_warning(
    broken: FakeDist, run_pawbench: RunPawbench
) -> None:
    proc = run_pawbench("plugins", "list", env=_env(broken))
    assert proc.returncode == 0, proc.stderr
    (row,) = [line for line in proc.stdout.splitlines() if "broken-plugin" in line]
    assert "failed: ImportError: needs the frobnicator package" in row
    assert "0.3" in row
    assert (
        "warning: plugin 'broken' (broken-plugin) failed: "
        "ImportError: needs the frobnicator package"
    ) in proc.stderr


def test_help_and_version_survive_a_broken_plugin(
    broken: FakeDist, run_pawbench: RunPawbench
) -> None:
    help_proc = run_pawbench("--help", env=_env(broken))
    assert help_proc.returncode == 0
    assert "Usage: pawbench" in help_proc.stdout
    assert help_proc.stderr == ""
    version = run_pawbench("--version", env=_env(broken))
    assert version.returncode == 0
    assert version.stdout.startswith("pawbench ")


def test_entry_point_to_a_missing_module(make_dist: MakeDist, run_pawbench: RunPawbench) -> None:
    ghost = make_dist("ghost-plugin", "1.0", {}, {"ghost": "ghost_module_not_there"})
    code, listing = _listing(run_pawbench, _env(ghost))
    assert code == 0
    plugin = _plugin(listing, "ghost")
    assert plugin["status"] == "failed"
    assert plugin["error"] == "ModuleNotFoundError: No module named 'ghost_module_not_there'"


# --- two plugins with the same component name ---


@pytest.fixture
def twins(make_dist: MakeDist) -> tuple[FakeDist, FakeDist]:
    a = make_dist("dist-a", "1.0", {"twin_a": scorer_module("TwinA", "twin")}, {"twin-a": "twin_a"})
    b = make_dist("dist-b", "2.0", {"twin_b": scorer_module("TwinB", "twin")}, {"twin-b": "twin_b"})
    return a, b


def test_duplicate_name_is_an_error_naming_both(
    twins: tuple[FakeDist, FakeDist], run_pawbench: RunPawbench
) -> None:
    proc = run_pawbench("plugins", "list", env=_env(*twins))
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("pawbench: error: scorer 'twin' is provided by both ")
    assert "plugin 'twin-a' (dist-a 1.0)" in last
    assert "plugin 'twin-b' (dist-b 2.0)" in last
    assert "PAWBENCH_BLOCK_PLUGINS" in last


def test_duplicate_name_in_json_listing(
    twins: tuple[FakeDist, FakeDist], run_pawbench: RunPawbench
) -> None:
    code, listing = _listing(run_pawbench, _env(*twins))
    assert code == 2
    rows = _component(listing, kind="scorer", name="twin")
    assert sorted((r["plugin"], r["status"]) for r in rows) == [
        ("twin-a", "duplicate"),
        ("twin-b", "duplicate"),
    ]
    assert {r["error"] for r in rows} == {"also provided by twin-a", "also provided by twin-b"}
    assert len(listing["conflicts"]) == 1


def test_block_one_plugin_resolves_the_conflict(
    twins: tuple[FakeDist, FakeDist], run_pawbench: RunPawbench
) -> None:
    code, listing = _listing(run_pawbench, _env(*twins, PAWBENCH_BLOCK_PLUGINS="twin-b"))
    assert code == 0
    (row,) = _component(listing, kind="scorer", name="twin")
    assert (row["plugin"], row["distribution"], row["status"]) == ("twin-a", "dist-a", "loaded")
    assert _plugin(listing, "twin-b")["status"] == "blocked"
    assert listing["conflicts"] == []


def test_block_by_distribution_name(
    twins: tuple[FakeDist, FakeDist], run_pawbench: RunPawbench
) -> None:
    code, listing = _listing(run_pawbench, _env(*twins, PAWBENCH_BLOCK_PLUGINS=" dist-a , x"))
    assert code == 0
    (row,) = _component(listing, kind="scorer", name="twin")
    assert row["plugin"] == "twin-b"
    assert _plugin(listing, "twin-a")["status"] == "blocked"


def test_get_raises_naming_both(
    twins: tuple[FakeDist, FakeDist],
    monkeypatch: pytest.MonkeyPatch,
    forget_modules: Callable[[str], None],
) -> None:
    a, b = twins
    monkeypatch.syspath_prepend(str(a.root))
    forget_modules("twin_a")
    forget_modules("twin_b")
    host = PluginHost(entry_points=[*a.entry_points(), *b.entry_points()])
    with pytest.raises(PluginError) as info:
        host.get("scorer", "twin")
    message = str(info.value)
    assert "plugin 'twin-a' (dist-a 1.0)" in message
    assert "plugin 'twin-b' (dist-b 2.0)" in message
    with pytest.raises(PluginError, match="provided by both"):
        host.check()


def test_get_names_what_exists_and_what_failed(
    twins: tuple[FakeDist, FakeDist],
    broken: FakeDist,
    monkeypatch: pytest.MonkeyPatch,
    forget_modules: Callable[[str], None],
) -> None:
    a, _ = twins
    monkeypatch.syspath_prepend(str(a.root))
    forget_modules("twin_a")
    forget_modules("broken_plugin_mod")
    host = PluginHost(entry_points=[*a.entry_points(), *broken.entry_points()])
    assert host.get("scorer", "twin").__name__ == "TwinA"
    with pytest.raises(PluginError) as info:
        host.get("scorer", "lola")
    assert str(info.value) == (
        "unknown scorer 'lola' (available: twin); plugins that failed to load: "
        "broken (ImportError: needs the frobnicator package)"
    )


# --- autoload switched off ---


@pytest.fixture
def extra(make_dist: MakeDist) -> FakeDist:
    return make_dist(
        "extra-scorers",
        "0.9",
        {"extra_mod": scorer_module("Extra", "extra")},
        {"extra": "extra_mod"},
    )


def test_disable_autoload_keeps_builtins_and_skips_third_party(
    extra: FakeDist, run_pawbench: RunPawbench
) -> None:
    _, everything = _listing(run_pawbench, _env(extra))
    assert _component(everything, name="extra", status="loaded")
    code, listing = _listing(run_pawbench, _env(extra, PAWBENCH_DISABLE_PLUGIN_AUTOLOAD="1"))
    assert code == 0
    builtins = [c for c in everything["components"] if c["distribution"] == "pawbench"]
    assert builtins, "the pawbench distribution declares no built-in component"
    assert [c for c in listing["components"] if c["distribution"] == "pawbench"] == builtins
    assert not _component(listing, name="extra")
    assert _plugin(listing, "extra")["status"] == "not-autoloaded"


def test_disable_autoload_loads_plugins_named_in_pawbench_plugins(
    extra: FakeDist, broken: FakeDist, run_pawbench: RunPawbench
) -> None:
    env = _env(extra, broken, PAWBENCH_DISABLE_PLUGIN_AUTOLOAD="1", PAWBENCH_PLUGINS="extra")
    code, listing = _listing(run_pawbench, env)
    assert code == 0
    (row,) = _component(listing, name="extra")
    assert (row["status"], row["distribution"], row["version"]) == (
        "loaded",
        "extra-scorers",
        "0.9",
    )
    assert _plugin(listing, "broken")["status"] == "not-autoloaded"


# --- hooks that return something else than component classes ---

NOT_COMPONENTS = {
    "a string": ('["not a class"]', "TypeError: 'not a class' is not a subclass of "),
    "another kind": ("[_Reporter]", "is not a subclass of pawbench.api.Scorer"),
    "a bare class": ("_Reporter", "expected a list of classes"),
    "a nameless scorer": ("[_Nameless]", "TypeError: _Nameless has no name"),
}


@pytest.mark.parametrize("case", sorted(NOT_COMPONENTS))
def test_hook_returning_a_non_component_fails_the_plugin(
    case: str, make_dist: MakeDist, run_pawbench: RunPawbench
) -> None:
    returned, reason = NOT_COMPONENTS[case]
    source = f"""
        from pawbench.api import Reporter, Scorer, hookimpl


        class _Reporter(Reporter):
            name = "odd"

            def render(self, result, out):
                pass


        class _Nameless(Scorer):
            def score(self, view):
                return []


        @hookimpl
        def pawbench_register_scorers():
            return {returned}
    """
    odd = make_dist("odd-plugin", "1.0", {"odd_mod": source}, {"odd": "odd_mod"})
    code, listing = _listing(run_pawbench, _env(odd))
    assert code == 0
    plugin = _plugin(listing, "odd")
    assert plugin["status"] == "failed"
    assert reason in plugin["error"]
    assert not _component(listing, plugin="odd", status="loaded")
