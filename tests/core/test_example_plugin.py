"""The example third-party plugin (plugins/examples/pawbench-lola-scorer), installed for real.

It is installed with ``pip install --no-deps --target`` into a temporary folder; the CLI sees
it through PYTHONPATH in a subprocess, and the in-process test loads it through a PluginHost.

A real ``pawbench run`` against the embedded simulator selects the ``lola`` scorer and its
scores land in the result.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pawbench.api import Scenario, Scorer, SessionRecord, SessionView, TurnRecord
from pawbench.plugins import PluginHost

if TYPE_CHECKING:
    from tests.conftest import RunPawbench

EXAMPLE = Path(__file__).resolve().parents[2] / "plugins" / "examples" / "pawbench-lola-scorer"
VERSION = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example distribution pip-installed (no dependencies) into a fresh folder."""
    target = tmp_path_factory.mktemp("lola-site")
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # no network needed when hatchling is here
    proc = subprocess.run([*command, str(EXAMPLE)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return target


def test_plugins_list_finds_the_example(installed: Path, run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("plugins", "list", "--json", env={"PYTHONPATH": str(installed)})
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    rows = [c for c in listing["components"] if c["name"] == "lola"]
    assert rows == [
        {
            "kind": "scorer",
            "name": "lola",
            "plugin": "lola",
            "distribution": "pawbench-lola-scorer",
            "version": VERSION,
            "status": "loaded",
            "summary": "Share of final answers that mention Lola or one of her products.",
            "error": None,
        }
    ]


def test_plugins_table_shows_the_example(installed: Path, run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("plugins", "list", env={"PYTHONPATH": str(installed)})
    assert proc.returncode == 0, proc.stderr
    (row,) = [line for line in proc.stdout.splitlines() if "pawbench-lola-scorer" in line]
    for cell in ("scorer", "lola", VERSION, "loaded"):
        assert cell in row


def _turn(index: int, text: str, status: str = "ok") -> TurnRecord:
    return TurnRecord.model_validate(
        {
            "session_id": "s1",
            "scenario_id": "pets",
            "agent_id": "shop",
            "level": 1,
            "turn_index": index,
            "user_message": f"question {index}",
            "status": status,
            "steps": 1,
            "request_ids": [f"r{index}"],
            "final_text": text,
            "t_start_ns": index * 1000,
            "t_end_ns": index * 1000 + 500,
        }
    )


def _view() -> SessionView:
    scenario = Scenario.model_validate(
        {
            "id": "pets",
            "name": "Pet shop",
            "agents": [
                {"id": "shop", "name": "Shop", "turns": [{"content": f"q{i}"} for i in range(5)]}
            ],
        }
    )
    turns = [
        _turn(0, "Lola recommends the salmon mix."),
        _turn(1, "Our best seller is LOLALEASH, in three sizes."),
        _turn(2, "Dogs need fresh water every day."),
        _turn(3, "Lola's Kibble would be great", status="error"),  # not evidence: skipped
        _turn(4, "No brand preference here."),
    ]
    session = SessionRecord(
        session_id="s1",
        scenario_id="pets",
        agent_id="shop",
        level=1,
        status="ok",
        turns=len(turns),
        t_start_ns=0,
        t_end_ns=5000,
    )
    return SessionView(scenario, scenario.agents[0], session, turns, [])


@pytest.fixture
def lola_class(
    installed: Path, monkeypatch: pytest.MonkeyPatch, forget_modules: Callable[[str], None]
) -> type[Scorer]:
    """The example's scorer class, loaded by a PluginHost from the installed distribution."""
    monkeypatch.syspath_prepend(str(installed))
    for name in ("pawbench_lola_scorer", "pawbench_lola_scorer.plugin"):
        forget_modules(name)
    (info,) = installed.glob("pawbench_lola_scorer-*.dist-info")
    entry_points = [
        ep for ep in metadata.PathDistribution(info).entry_points if ep.group == "pawbench"
    ]
    host = PluginHost(entry_points=entry_points)
    cls = host.get_typed(Scorer, "lola")
    assert issubclass(cls, Scorer)
    return cls


def test_lola_scores_a_session(lola_class: type[Scorer]) -> None:
    scorer = lola_class(lola_class.Options())
    scores = scorer.score(_view())
    per_turn = {s.turn_index: s.value for s in scores if s.metric == "lola_mention"}
    assert per_turn == {0: 1.0, 1: 1.0, 2: 0.0, 4: 0.0}
    (rate,) = [s for s in scores if s.metric == "lola_mention_rate"]
    assert rate.value == 0.5
    assert rate.turn_index is None
    assert rate.detail == "2 of 4 answer(s)"


def test_lola_terms_are_an_option(lola_class: type[Scorer]) -> None:
    options = lola_class.Options.model_validate({"terms": ["salmon"]})
    scores = lola_class(options).score(_view())
    (rate,) = [s for s in scores if s.metric == "lola_mention_rate"]
    assert rate.value == 0.25


def test_lola_options_reject_unknown_keys(lola_class: type[Scorer]) -> None:
    with pytest.raises(ValueError, match="extra"):
        lola_class.Options.model_validate({"term": ["typo"]})


LOLA_SCENARIO = {
    "id": "lola-greeting",
    "name": "Lola greeting",
    "agents": [
        {
            "id": "shop",
            "name": "Shop assistant",
            "turns": [
                {"content": "Write a one-line greeting from `Lola` for the homepage banner."},
                {"content": "Now a one-line farewell from `Lola` for the checkout page."},
            ],
        }
    ],
}


def test_a_run_uses_the_example_scorer(
    installed: Path, run_pawbench: RunPawbench, tmp_path: Path
) -> None:
    scenario = tmp_path / "lola.json"
    scenario.write_text(json.dumps(LOLA_SCENARIO))
    proc = run_pawbench(
        "run",
        "--scenario",
        str(scenario),
        "--concurrency",
        "1",
        "--scorer",
        "lola",
        "--no-saturation",
        "--output",
        str(tmp_path / "out"),
        "--json",
        env={"PYTHONPATH": str(installed)},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["simulated"] is True
    # sim-good names the backticked term in each final answer: both turns mention Lola
    lola = result["scores"]["lola"]
    assert lola["lola_mention"]["count"] == 2
    assert lola["lola_mention_rate"]["mean"] == 1.0
    assert lola["lola_mention_rate"]["by_scenario"] == {"lola-greeting": 1.0}
