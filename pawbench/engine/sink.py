"""Where records go: kept in memory for aggregation and appended to ``requests.jsonl`` as each
finishes, flushed at once, so that a crash keeps everything that had finished."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from pawbench.models.records import RequestRecord, SessionRecord, TurnRecord

AnyRecord = RequestRecord | TurnRecord | SessionRecord


@dataclass
class RecordSink:
    """Collects records; writes them as JSON lines when given a path."""

    path: Path | None = None
    requests: list[RequestRecord] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    _file: IO[bytes] | None = None

    def open(self, append: bool = False) -> None:
        """Create (truncate) the JSONL file, or append to it."""
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab" if append else "wb")

    def close(self) -> None:
        """Close the JSONL file."""
        if self._file is not None:
            self._file.close()
            self._file = None

    async def __call__(self, record: AnyRecord) -> None:
        if isinstance(record, RequestRecord):
            self.requests.append(record)
        elif isinstance(record, TurnRecord):
            self.turns.append(record)
        else:
            self.sessions.append(record)
        if self._file is not None:
            self._file.write(orjson.dumps(record.model_dump(mode="json")) + b"\n")
            self._file.flush()
