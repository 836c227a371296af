"""The simulator's pure parts, with hand-computed values."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from pawbench.sim import get_profile, load_profiles
from pawbench.sim.artifacts import glob_to_path, mentioned_files, salient_terms
from pawbench.sim.oracle import Oracle
from pawbench.sim.output import PlannedCall, Reply, TokenStream
from pawbench.sim.prefix_cache import PrefixCache
from pawbench.sim.schema_args import instance
from pawbench.sim.tokens import estimate_tokens, render_prompt, split_pieces
from tests.sim.support import mini_scenario, schema_errors


def test_token_pieces_rebuild_the_text_and_estimates_are_bytes_over_four() -> None:
    text = "def main(argv=None) -> int:\n    return 0  # naïve\n\n"
    pieces = split_pieces(text)
    assert "".join(pieces) == text
    assert pieces[:4] == ["def", " main", "(", "argv"]
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1 and estimate_tokens("abcde") == 2
    assert estimate_tokens("é") == 1  # two bytes


def test_rendered_prompts_grow_by_appending() -> None:
    turn1 = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    turn2 = [*turn1, {"role": "assistant", "content": "A"}, {"role": "user", "content": "V"}]
    tools = [{"type": "function", "function": {"name": "t"}}]
    assert render_prompt(turn2, tools).startswith(render_prompt(turn1, tools))
    parts = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert render_prompt(parts, None) == b"<|user|>hi\n"


def _obj(props: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required)}


SCHEMAS = [
    _obj({"n": {"type": "integer", "minimum": 5}}, "n"),
    _obj({"n": {"type": "integer", "maximum": 0}}, "n"),
    _obj({"x": {"type": "number", "exclusiveMinimum": 2}}),
    _obj({"mode": {"enum": ["fast", "slow"]}}, "mode"),
    _obj({"tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}}, "tags"),
    {**_obj({"o": {**_obj({"flag": {"type": "boolean"}}, "flag"), "additionalProperties": False}},
            "o"), "additionalProperties": False},
    _obj({"v": {"anyOf": [{"type": "null"}, {"type": "integer"}]}}, "v"),
    _obj({"s": {"type": ["null", "string"], "minLength": 30}}, "s"),
]  # fmt: skip


@pytest.mark.parametrize("schema", SCHEMAS)
def test_generated_arguments_validate(schema: dict[str, Any]) -> None:
    value = instance(schema, lambda key, _schema: f"value of {key}")
    assert schema_errors(schema, value) == []
    assert orjson.loads(orjson.dumps(value)) == value


def test_exclusive_bounds_and_allof() -> None:
    def strings(key: str, _schema: Any) -> str:
        return key

    assert instance({"type": "integer", "exclusiveMinimum": 3}, strings) == 4
    merged = {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                        {"required": ["a"]}]}  # fmt: skip
    assert instance(merged, strings) == {"a": "a"}


def test_prefix_cache_hits_leading_blocks_and_evicts_the_oldest() -> None:
    cache = PrefixCache(capacity_blocks=4, block_tokens=2)  # blocks of 8 bytes
    a = b"A" * 8 + b"B" * 8 + b"C" * 8
    assert cache.lookup_and_insert(a, 6) == 0
    assert cache.lookup_and_insert(a + b"D" * 8, 8) == 6  # three cached blocks
    assert cache.lookup_and_insert(a, 6) == 5  # never the last token
    assert cache.lookup_and_insert(b"Z" * 8 + a, 8) == 0  # another first block
    assert len(cache) == 4
    assert cache.lookup_and_insert(a, 6) == 0  # the oldest were evicted


def test_profiles_are_data_with_the_documented_shape() -> None:
    profiles = load_profiles()
    assert list(profiles) == ["cpu-box", "small-gpu", "large-gpu", "instant"]
    small = get_profile("small-gpu")
    assert small.step_seconds(10, 0) == pytest.approx(0.018)  # 12 ms + 10 x 0.6 ms
    assert small.step_seconds(1, 600) == pytest.approx(0.0126 + 0.1)  # 600 tokens at 6000/s
    assert small.predicted_throughput(1) == pytest.approx(1 / 0.0126)
    assert small.predicted_throughput(100) == small.predicted_throughput(32)
    large = get_profile("large-gpu")
    assert large.speculative is not None
    assert large.tokens_per_step() == pytest.approx(1 + 0.7 + 0.49 + 0.343)
    with pytest.raises(ValueError, match="known: cpu-box"):
        get_profile("nope")


def test_token_streams_put_content_first_and_cut_at_max_tokens() -> None:
    reply = Reply("Hi there", (PlannedCall("call_1", "f", '{"a": 1}'),))
    full = TokenStream(reply, 100)
    assert full.finish_reason == "tool_calls"
    assert full.content() == "Hi there" and full.call_arguments() == ['{"a": 1}']
    assert full.head.count(True) == 1
    cut = TokenStream(reply, 4)
    assert cut.finish_reason == "length" and len(cut) == 4
    assert cut.content() == "Hi there" and cut.call_arguments() == ['{"']
    assert (
        TokenStream(Reply(""), 10).finish_reason == "stop" and len(TokenStream(Reply(""), 10)) == 1
    )


def test_oracle_matches_exact_contained_and_placeholder_turns() -> None:
    oracle = Oracle([mini_scenario()])
    turns = mini_scenario().agents[0].turns
    assert oracle.match(turns[0].content) is not None
    brief = "Brief from the planner: use httpx.\n\n" + turns[0].content
    hint = oracle.match(brief)
    assert hint is not None and hint.turn.turn == 1
    assert hint.terms == ("fetch_weather", "timeout=")
    assert hint.write_globs == ("weather/*.py",) and hint.call_tools == ("run_command",)
    nudge = turns[2].content.replace("{progress}", "the cache layer landed")
    hint = oracle.match(nudge)
    assert hint is not None and hint.keywords == ("cache", "60")
    assert hint.earlier_terms == ("fetch_weather", "timeout=", "attempt", "retry", "backoff")
    last = oracle.match(turns[3].content)
    assert last is not None and last.max_words == 40 and last.avoid == ("TODO",)
    assert oracle.match("Something else entirely.") is None


def test_paths_and_terms_from_prompts() -> None:
    assert glob_to_path("app/*.py", "app") == "app/app.py"
    assert glob_to_path("**/test_*.py", "app") == "test_app.py"
    assert glob_to_path("src/[abc]x?.ts", "m") == "src/axx.ts"
    prompt = "Fix `parse_args` in cli/main.py and tests/test_cli.py; keep compatibility."
    assert mentioned_files(prompt) == ["cli/main.py", "tests/test_cli.py"]
    assert salient_terms(prompt) == [
        "parse_args", "cli/main.py", "tests/test_cli.py", "compatibility"
    ]  # fmt: skip
