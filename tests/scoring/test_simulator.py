"""The scores separate the simulator's personas: a real run of the engine against the embedded
simulator (``instant`` profile, concurrency 1), then the built-in scorers and the dimension
blocks over its records."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from pawbench.components import Scorer
from pawbench.engine.options import RunOptions
from pawbench.engine.run import execute
from pawbench.plugins import PluginHost
from pawbench.scenarios import ScenarioCatalog
from pawbench.scoring import build_dimensions, load_views, load_weights, run_scorers

SCENARIOS = ["pawstyle", "pawstyle-nudge", "pawstyle-independent"]
SCORERS = ["tool_calls", "expectations", "format", "efficiency", "steering"]
PERSONAS = ["sim-good", "sim-sloppy", "sim-chatty"]


def _scorers(host: PluginHost) -> list[Scorer]:
    found = []
    for name in SCORERS:
        cls = host.get("scorer", name)
        assert issubclass(cls, Scorer)
        found.append(cls(cls.Options()))
    return found


def _blocks(model: str, out: Path) -> dict[str, Any]:
    host = PluginHost()
    options = RunOptions(
        model=model,
        scenarios=SCENARIOS,
        concurrency=[1],
        output=out,
        sim_profile="instant",
        saturation=False,
    )
    asyncio.run(execute(options, host, lambda _m: None))
    (jsonl,) = out.glob("*.jsonl")
    catalog = ScenarioCatalog()
    views = load_views(jsonl, [catalog.entries[i].scenario for i in SCENARIOS])
    assert len(views) == 6  # two agents per scenario at concurrency 1
    scores, warnings = run_scorers(_scorers(host), views)
    assert warnings == []
    return build_dimensions(views, scores, load_weights())


@pytest.fixture(scope="module")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return {m: _blocks(m, tmp_path_factory.mktemp(m)) for m in PERSONAS}


def _dqs(block: dict[str, Any]) -> float:
    value = block["dqs"]["run"]["dqs"]
    assert isinstance(value, float)
    return value


def test_good_scores_high_and_sloppy_low(blocks: dict[str, dict[str, Any]]) -> None:
    good, sloppy = blocks["sim-good"], blocks["sim-sloppy"]
    assert _dqs(good) >= 0.85
    assert _dqs(sloppy) <= 0.5
    assert good["dqs"]["sha256"] == load_weights().sha256
    assert good["dim2_quality"]["turns"]["excluded"] == {"error": 0, "timeout": 0, "fixture_gap": 0}
    for scenario, entry in good["dqs"]["by_scenario"].items():
        assert entry["dqs"] >= 0.85, scenario


def test_good_format_compliance_is_perfect(blocks: dict[str, dict[str, Any]]) -> None:
    assert blocks["sim-good"]["dim2_quality"]["format_compliance"] == 1.0
    assert blocks["sim-good"]["dim2_quality"]["format_compliance_all_turns"] == 1.0
    assert blocks["sim-sloppy"]["dim2_quality"]["format_compliance"] == 0.0


def test_good_beats_sloppy_on_quality_and_tool_calls(blocks: dict[str, dict[str, Any]]) -> None:
    good, sloppy = blocks["sim-good"]["dim2_quality"], blocks["sim-sloppy"]["dim2_quality"]
    assert good["quality"] > sloppy["quality"] + 0.5
    for rate in ("valid_json_rate", "schema_valid_rate", "right_tool_rate"):
        assert good["tool_calls"][rate] == 1.0
        assert sloppy["tool_calls"][rate] < 0.6, rate
    assert sloppy["tool_calls"]["accurate_rate"] == 0.0


def test_chatty_has_the_lowest_useful_ratio(blocks: dict[str, dict[str, Any]]) -> None:
    ratios = {m: b["dim3_efficiency"]["useful_ratio"] for m, b in blocks.items()}
    assert min(ratios, key=lambda m: ratios[m]) == "sim-chatty"
    assert ratios["sim-chatty"] < 0.8 < ratios["sim-good"]
    chatty, good = blocks["sim-chatty"]["dim3_efficiency"], blocks["sim-good"]["dim3_efficiency"]
    assert chatty["tokens_per_completed_task"] > good["tokens_per_completed_task"]


def test_adaptability_separates_the_personas(blocks: dict[str, dict[str, Any]]) -> None:
    good, sloppy = (
        blocks["sim-good"]["dim4_adaptability"],
        blocks["sim-sloppy"]["dim4_adaptability"],
    )
    assert (good["steering_rate"], sloppy["steering_rate"]) == (1.0, 0.0)
    assert good["steering"]["turns"] == 1  # pawstyle's backend turn 2
    assert (good["nudge"]["rate"], good["nudge"]["turns"]) == (1.0, 2)
    delta = good["nudge_quality_delta"]["pawstyle-nudge"]
    assert delta["baseline"] == "pawstyle-independent" and delta["agents"] == ["backend"]
    assert delta["delta"] == 0.0  # sim-good meets every expectation with or without nudges
    assert sloppy["nudge_quality_delta"]["pawstyle-nudge"]["delta"] is not None


def test_quality_by_tier_covers_the_tagged_turns(blocks: dict[str, dict[str, Any]]) -> None:
    tiers = blocks["sim-good"]["quality_by_tier"]
    assert {t: v["quality"] for t, v in tiers.items() if v["turns"]} == {
        "display": 1.0,
        "crud": 1.0,
        "transactional": 1.0,
        "cross_cutting": 1.0,
    }
    assert sum(v["from_heuristic"] for v in tiers.values()) == 0  # every PawStyle turn is tagged
