"""Raw-saturation prompts: distinct per request from the first characters, deterministic per
tag and seed, about the target length, made of the scenarios' own passages."""

from __future__ import annotations

from pawbench.engine.prompts import INSTRUCTION, PromptPool
from pawbench.scenarios import builtin_scenarios_dir, load_scenario_file

SCENARIOS = [load_scenario_file(p) for p in sorted(builtin_scenarios_dir().glob("*.json"))]


def content(pool: PromptPool, tag: str) -> str:
    (message,) = pool.messages(tag)
    assert message["role"] == "user"
    text = message["content"]
    assert isinstance(text, str)
    return text


def test_prompts_are_distinct_deterministic_and_sized() -> None:
    pool = PromptPool(SCENARIOS, seed=3, target_tokens=512)
    tags = [f"c8-w{w}-{n}" for w in range(8) for n in range(40)]
    texts = [content(pool, tag) for tag in tags]
    assert len({t.split("]", 1)[0] for t in texts}) == len(tags)  # distinct heads
    assert texts == [content(PromptPool(SCENARIOS, 3, 512), tag) for tag in tags]
    assert content(PromptPool(SCENARIOS, 4, 512), tags[0]) != texts[0]  # the seed matters
    assert all(len(t) == 512 * 4 for t in texts)
    assert all(INSTRUCTION in t for t in texts)
    bodies = {t.split(INSTRUCTION, 1)[1] for t in texts}
    assert len(bodies) > 100  # drawn from many bodies, not one
    passages = pool.passages
    first = next(iter(bodies)).strip().split("\n\n")[0]
    assert any(first in p for p in passages)  # the scenarios' own text
