"""Where records go: kept in memory for aggregation and appended to ``requests.jsonl`` as each
finishes. The file is flushed at most ``FLUSH_S`` after a record is written (one timer per
batch, not a write system call per record: at thousands of requests a second that call is a
measurable share of the client's CPU), and at once on close, so that a crash loses at most the
records of the last fraction of a second and an error nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import BaseModel

from pawbench.models.records import RequestRecord, SessionRecord, TurnRecord

AnyRecord = RequestRecord | TurnRecord | SessionRecord
FLUSH_S = 0.05
_LINE = orjson.OPT_APPEND_NEWLINE


def _fields(value: object) -> dict[str, Any]:
    """A record (or a record inside one) as its fields, for orjson: the same JSON as
    ``model_dump(mode="json")``, since every field is a JSON type, without building the
    intermediate dicts and lists."""
    if isinstance(value, BaseModel):
        return value.__dict__
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass
class RecordSink:
    """Collects records; writes them as JSON lines when given a path."""

    path: Path | None = None
    requests: list[RequestRecord] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    _file: IO[bytes] | None = None
    _flush_timer: asyncio.TimerHandle | None = None

    def open(self, append: bool = False) -> None:
        """Create (truncate) the JSONL file, or append to it."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab" if append else "wb")

    def close(self) -> None:
        """Close the JSONL file (flushing it)."""
        self._cancel_flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def flush(self) -> None:
        """Write what is buffered to the file now."""
        self._cancel_flush()
        if self._file is not None:
            self._file.flush()

    def _cancel_flush(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    async def __call__(self, record: AnyRecord) -> None:
        if isinstance(record, RequestRecord):
            self.requests.append(record)
        elif isinstance(record, TurnRecord):
            self.turns.append(record)
        else:
            self.sessions.append(record)
        if self._file is not None:
            self._file.write(orjson.dumps(record, default=_fields, option=_LINE))
            if self._flush_timer is None:
                self._flush_timer = asyncio.get_running_loop().call_later(FLUSH_S, self.flush)
