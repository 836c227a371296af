"""The personas at the HTTP level, on the mini scenario: what each one sends back."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson

from pawbench.sim import SimServer
from tests.sim.support import (
    STATUS_KEYS,
    Streamed,
    mini_scenario,
    schema_errors,
    status_block,
    stream_chat,
    tools_of,
)

SCENARIO = mini_scenario()
TURNS = SCENARIO.agents[0].turns
TOOLS = tools_of(SCENARIO)
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}


def _conversation(model: str, turn_texts: list[str]) -> list[tuple[Streamed, Streamed | None]]:
    """Play the turns as an agent loop would: the first reply, the tool results, the answer.
    Returns (first reply, reply after the tool results or None) per turn."""

    async def main() -> list[tuple[Streamed, Streamed | None]]:
        out: list[tuple[Streamed, Streamed | None]] = []
        messages: list[dict[str, Any]] = [{"role": "system", "content": SCENARIO.system_prompt}]
        sim = SimServer(profile="instant", scenarios=[SCENARIO])
        async with sim, aiohttp.ClientSession() as s:
            for text in turn_texts:
                messages.append({"role": "user", "content": text})
                first = await stream_chat(s, sim.base_url, _body(model, messages))
                messages.append(_assistant(first))
                if not first.calls:
                    out.append((first, None))
                    continue
                for call in first.calls:
                    result = {"role": "tool", "tool_call_id": call["id"], "content": "ok"}
                    messages.append(result)
                second = await stream_chat(s, sim.base_url, _body(model, messages))
                messages.append(_assistant(second))
                out.append((first, second))
        return out

    return asyncio.run(main())


def _body(model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"model": model, "messages": list(messages), "tools": TOOLS}


def _assistant(reply: Streamed) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["arguments"]},
            }
            for c in reply.calls
        ]
    return message


def _texts() -> list[str]:
    return [t.content.replace("{progress}", "the deploy went fine") for t in TURNS]


def test_good_calls_offered_tools_with_schema_valid_arguments_carrying_the_terms() -> None:
    replies = _conversation("sim-good", _texts())
    for turn, (first, second) in zip(TURNS, replies, strict=True):
        expect = turn.expect
        calls = first.calls
        assert len(calls) >= expect.tool_calls_min
        names = [c["name"] for c in calls]
        assert set(names) <= set(SCHEMAS)
        if expect.tool_name_any:
            assert set(names) & set(expect.tool_name_any)
        args_text = ""
        for call in calls:
            args = orjson.loads(call["arguments"])
            assert schema_errors(SCHEMAS[call["name"]], args) == []
            args_text += " ".join(str(v) for v in args.values())
        final = (second or first).content
        keywords = list(turn.event.keywords) if turn.event else []
        where = {"text": final, "tool_args": args_text, "both": args_text + final}
        for term in [*expect.output_mentions, *keywords]:
            assert term in where[expect.mentions_in], (turn.turn, term)
        assert list(status_block(final)) == list(STATUS_KEYS)
    # Turn 1 follows its constraints: a file under weather/, the command the fixture scripts.
    first_calls = replies[0][0].calls
    paths = [orjson.loads(c["arguments"])["path"] for c in first_calls if c["name"] == "write_file"]
    assert paths and all(p.startswith("weather/") for p in paths)
    runs = [orjson.loads(c["arguments"]) for c in first_calls if c["name"] == "run_command"]
    assert runs == [{"command": "pytest", "timeout_s": 1}]
    block = status_block(replies[0][1].content)  # type: ignore[union-attr]
    assert block["STATUS"] == "done" and block["FILES_CREATED"] == ", ".join(paths)


def test_good_answers_a_text_turn_within_its_word_limit_and_avoids_terms() -> None:
    (first, second) = _conversation("sim-good", _texts())[3]
    assert second is None and not first.calls
    assert len(first.content.split()) <= 40
    assert "fetch_weather" in first.content and "retry" in first.content
    assert "TODO" not in first.content


def test_steering_and_nudges_good_follows_sloppy_ignores() -> None:
    good = _conversation("sim-good", _texts()[:3])
    sloppy = _conversation("sim-sloppy", _texts()[:3])
    for turn, g, s in zip(TURNS[1:3], good[1:3], sloppy[1:3], strict=True):
        assert turn.event is not None
        g_all = " ".join([g[0].content, *(c["arguments"] for c in g[0].calls), g[1].content])  # type: ignore[union-attr]
        s_all = " ".join([s[0].content, *(c["arguments"] for c in s[0].calls)])
        s_all += s[1].content if s[1] else ""
        for keyword in turn.event.keywords:
            assert keyword in g_all
            assert keyword.lower() not in s_all.lower()


def test_sloppy_sends_invalid_json_and_unoffered_tools_and_no_status_block() -> None:
    replies = _conversation("sim-sloppy", _texts())
    bad_json = unoffered = 0
    for first, second in replies:
        for call in first.calls:
            try:
                orjson.loads(call["arguments"])
            except orjson.JSONDecodeError:
                bad_json += 1
            unoffered += call["name"] not in SCHEMAS
        final = (second or first).content
        assert final and status_block(final) == {}
        assert len(final.split()) < 15
    assert bad_json >= len(TURNS) and unoffered >= len(TURNS)


def test_chatty_pads_the_same_work_with_many_more_tokens() -> None:
    good = _conversation("sim-good", _texts())
    chatty = _conversation("sim-chatty", _texts())
    for g, c in zip(good, chatty, strict=True):
        assert [x["name"] for x in c[0].calls] == [x["name"] for x in g[0].calls]
        assert [x["arguments"] for x in c[0].calls] == [x["arguments"] for x in g[0].calls]
        g_final, c_final = g[1] or g[0], c[1] or c[0]
        assert g_final.usage is not None and c_final.usage is not None
        # The answers: chatty's is at least four times longer, with the same status block.
        assert c_final.usage["completion_tokens"] >= 4 * g_final.usage["completion_tokens"]
        assert list(status_block(c_final.content)) == list(STATUS_KEYS)


def test_unknown_prompts_get_a_generic_competent_answer() -> None:
    prompt = "Add a `slugify` helper to utils/text.py and cover `unicode` input."
    replies = _conversation("sim-good", [prompt])
    (first, second) = replies[0]
    assert [c["name"] for c in first.calls] == ["write_file"]  # the first offered tool
    args = orjson.loads(first.calls[0]["arguments"])
    assert schema_errors(SCHEMAS["write_file"], args) == []
    assert args["path"] == "utils/text.py" and "slugify" in args["content"]
    assert second is not None
    assert "slugify" in second.content and "unicode" in second.content
    assert status_block(second.content)["FILES_CREATED"] == "utils/text.py"
