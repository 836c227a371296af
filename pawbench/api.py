"""The public surface for plugin authors. Built-in plugins import nothing else from pawbench.

A plugin module implements hooks with ``@hookimpl`` and returns component classes::

    from pawbench.api import Score, Scorer, SessionView, hookimpl

    class LolaScorer(Scorer):
        \"\"\"Counts how often Lola is mentioned.\"\"\"
        name = "lola"

        def score(self, view: SessionView) -> list[Score]:
            ...

    @hookimpl
    def pawbench_register_scorers() -> list[type[Scorer]]:
        return [LolaScorer]
"""

from __future__ import annotations

import pluggy

from pawbench.components import (
    NO_SIGNAL,
    Analyzer,
    AnalyzerReport,
    Component,
    Endpoint,
    EndpointConfig,
    EventDecoder,
    Finding,
    ModelInfo,
    NoOptions,
    Probe,
    ProbeContext,
    Reporter,
    Score,
    Scorer,
    SessionView,
    Shape,
    ShapeRuntime,
    ShapeSession,
)
from pawbench.metrics import percentile
from pawbench.models.jsondata import JSON_TYPES, read_jsonl
from pawbench.models.records import (
    RequestRecord,
    SessionRecord,
    ToolCallRecord,
    ToolResultRecord,
    TurnRecord,
)
from pawbench.models.scenario import (
    TIERS,
    Agent,
    Block,
    Constraint,
    Event,
    Expect,
    Fixtures,
    Scenario,
    Tier,
    ToolSchema,
    Turn,
)
from pawbench.models.wire import (
    STALE_CONNECTION,
    ChatRequest,
    ContentDelta,
    FinishReason,
    ReasoningDelta,
    ResponseStart,
    RetryScheduled,
    SSEData,
    StreamDecoder,
    StreamDone,
    StreamErrorEvent,
    StreamEvent,
    StreamReceiver,
    ToolCallDelta,
    TransportError,
    UsageInfo,
    WireEvent,
)
from pawbench.report import values as result_values

hookimpl = pluggy.HookimplMarker("pawbench")

__all__ = [
    "JSON_TYPES",
    "NO_SIGNAL",
    "STALE_CONNECTION",
    "TIERS",
    "Agent",
    "Analyzer",
    "AnalyzerReport",
    "Block",
    "ChatRequest",
    "Component",
    "Constraint",
    "ContentDelta",
    "Endpoint",
    "EndpointConfig",
    "Event",
    "EventDecoder",
    "Expect",
    "Finding",
    "FinishReason",
    "Fixtures",
    "ModelInfo",
    "NoOptions",
    "Probe",
    "ProbeContext",
    "ReasoningDelta",
    "Reporter",
    "RequestRecord",
    "ResponseStart",
    "RetryScheduled",
    "SSEData",
    "Scenario",
    "Score",
    "Scorer",
    "SessionRecord",
    "SessionView",
    "Shape",
    "ShapeRuntime",
    "ShapeSession",
    "StreamDecoder",
    "StreamDone",
    "StreamErrorEvent",
    "StreamEvent",
    "StreamReceiver",
    "Tier",
    "ToolCallDelta",
    "ToolCallRecord",
    "ToolResultRecord",
    "ToolSchema",
    "TransportError",
    "Turn",
    "TurnRecord",
    "UsageInfo",
    "WireEvent",
    "hookimpl",
    "percentile",
    "read_jsonl",
    "result_values",
]
