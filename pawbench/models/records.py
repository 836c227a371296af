"""Records of what happened in a run: one per request, per turn and per agent session.

They are appended to ``requests.jsonl`` as each finishes, and every score and report is computed
from them. Times are nanoseconds from the run's start (``perf_counter_ns`` taken by the core);
derived durations are milliseconds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RequestStatus = Literal["ok", "error", "timeout"]
TurnStatus = Literal["ok", "failed", "error", "timeout", "fixture_gap"]
TERMINAL_EXCLUDED: frozenset[str] = frozenset({"error", "timeout", "fixture_gap"})


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCallRecord(_Record):
    """A tool call as the model sent it, assembled from its deltas."""

    id: str
    name: str
    arguments: str
    valid_json: bool
    id_generated: bool = False  # the server sent no id and the core made one up


class RequestRecord(_Record):
    """One chat completion request and its measured timing."""

    record: Literal["request"] = "request"
    request_id: str
    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    turn_index: int
    step: int
    status: RequestStatus
    error_cause: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    retries: int = 0
    reconnects: int = 0  # resends after a pooled connection was found closed (not failures)
    t_sent_ns: int
    t_headers_ns: int | None = None
    t_first_token_ns: int | None = None
    t_last_token_ns: int | None = None
    t_end_ns: int
    t_scheduled_ns: int | None = None
    ttft_ms: float | None = None
    ttfc_ms: float | None = None
    ttft_tool_ms: float | None = None
    tpot_ms: float | None = None
    e2e_ms: float
    itl_ms: list[float] = Field(default_factory=list)
    chunks: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    tokens_estimated: bool = False
    finish_reason: str | None = None
    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)


class ToolResultRecord(_Record):
    """What the confined workspace answered to one tool call."""

    tool_call_id: str
    name: str
    ok: bool
    fixture_gap: bool = False
    rejected_path: str | None = None
    output: str


class TurnRecord(_Record):
    """One scenario turn of an agent session: the requests it took and how it ended."""

    record: Literal["turn"] = "turn"
    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    turn_index: int
    event: Literal["steering", "nudge"] | None = None
    user_message: str
    status: TurnStatus
    steps: int
    request_ids: list[str]
    final_text: str
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    tool_results: list[ToolResultRecord] = Field(default_factory=list)
    hit_max_steps: bool = False
    shape: str | None = None
    integration: bool = False
    t_start_ns: int
    t_end_ns: int


class SessionRecord(_Record):
    """One agent session (an agent's whole conversation at one load level)."""

    record: Literal["session"] = "session"
    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    status: TurnStatus
    turns: int
    files: dict[str, str] = Field(default_factory=dict)
    rejected_paths: list[str] = Field(default_factory=list)
    shape: str | None = None
    role: str | None = None
    t_start_ns: int
    t_end_ns: int
