"""The record sink: every record reaches requests.jsonl, flushed in batches shortly after it
ends (not one write per record), and at once on close."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from pawbench.engine.sink import FLUSH_S, RecordSink
from pawbench.models.records import (
    RequestRecord,
    SessionRecord,
    ToolCallRecord,
    ToolResultRecord,
    TurnRecord,
)


def record(name: str) -> RequestRecord:
    return RequestRecord(
        request_id=name,
        session_id="s",
        scenario_id="x",
        agent_id="a",
        level=1,
        turn_index=0,
        step=0,
        status="ok",
        t_sent_ns=0,
        t_end_ns=1_000,
        e2e_ms=0.001,
        itl_ms=[0.5, 0.0],
        completion_tokens=3,
    )


def ids(path: Path) -> list[str]:
    return [orjson.loads(line)["request_id"] for line in path.read_bytes().splitlines()]


def test_records_are_flushed_without_close_and_on_close(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"

    async def main() -> tuple[list[str], list[str]]:
        sink = RecordSink(path)
        sink.open()
        try:
            for name in ("a", "b", "c"):
                await sink(record(name))
            await asyncio.sleep(FLUSH_S * 4)  # one batch flush, no close yet
            seen = ids(path)
            await sink(record("d"))
        finally:
            sink.close()  # flushes "d" at once
        return seen, ids(path)

    flushed, closed = asyncio.run(main())
    assert flushed == ["a", "b", "c"]
    assert closed == ["a", "b", "c", "d"]


def test_a_line_is_the_records_json_dump(tmp_path: Path) -> None:
    """Written straight from the fields, nested records included: the same JSON as pydantic's
    ``model_dump(mode="json")`` for every kind of record."""
    call = ToolCallRecord(id="c1", name="write_file", arguments='{"p": "é"}', valid_json=True)
    records: list[RequestRecord | TurnRecord | SessionRecord] = [
        record("r1").model_copy(update={"tool_calls": [call], "content": '日本 \n"q"'}),
        TurnRecord(
            session_id="s",
            scenario_id="x",
            agent_id="a",
            level=1,
            turn_index=0,
            event="steering",
            user_message="go",
            status="ok",
            steps=1,
            request_ids=["r1"],
            final_text="done",
            tool_calls=[call],
            tool_results=[
                ToolResultRecord(tool_call_id="c1", name="write_file", ok=True, output="ok")
            ],
            t_start_ns=0,
            t_end_ns=5,
        ),
        SessionRecord(
            session_id="s",
            scenario_id="x",
            agent_id="a",
            level=1,
            status="ok",
            turns=1,
            files={"app.py": "print(1)\n"},
            rejected_paths=["../x"],
            t_start_ns=0,
            t_end_ns=9,
        ),
    ]
    path = tmp_path / "requests.jsonl"

    async def main() -> None:
        sink = RecordSink(path)
        sink.open()
        for one in records:
            await sink(one)
        sink.close()

    asyncio.run(main())
    lines = path.read_bytes().splitlines()
    assert lines == [orjson.dumps(one.model_dump(mode="json")) for one in records]
