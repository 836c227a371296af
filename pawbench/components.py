"""Base classes of the six plugin kinds. Plugin authors import them from ``pawbench.api``.

Every component class has a ``kind``, a unique ``name`` within its kind, an ``Options`` pydantic
model (its settings, ``extra="forbid"``) and a docstring whose first line is its summary.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TextIO

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from pawbench.models.records import RequestRecord, SessionRecord, TurnRecord
from pawbench.models.scenario import Agent, Block, Scenario, Turn
from pawbench.models.wire import (
    ChatRequest,
    ResponseStart,
    RetryScheduled,
    SSEData,
    StreamDone,
    StreamEvent,
    StreamReceiver,
    WireEvent,
)


class NoOptions(BaseModel):
    """A component without settings."""

    model_config = ConfigDict(extra="forbid")


class Component:
    """Common surface of every plugin component."""

    kind: ClassVar[str] = ""
    name: ClassVar[str] = ""
    Options: ClassVar[type[BaseModel]] = NoOptions

    @classmethod
    def summary(cls) -> str:
        """First line of the class docstring."""
        doc = (cls.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


# --- endpoint ---


class EndpointConfig(BaseModel):
    """Settings every endpoint gets from the core (the CLI flags of ``pawbench run``).
    Secrets are SecretStr so that they never print."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    api_key: SecretStr | None = None
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    connect_timeout_s: float = 10.0
    ttfb_timeout_s: float = 300.0
    idle_timeout_s: float = 60.0
    request_timeout_s: float | None = None
    verify_tls: bool = True
    max_connections: int = 1
    max_retries: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0


class ModelInfo(BaseModel):
    """A model the endpoint serves, as ``/v1/models`` describes it."""

    id: str
    owned_by: str | None = None
    max_model_len: int | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class Endpoint(Component, abc.ABC):
    """Turns chat requests into wire traffic. It never reads a clock: it reports the traffic
    (response start, retries, each piece of body) to a ``StreamReceiver`` that the core
    implements and that stamps every report on arrival, then decodes the body through the
    endpoint's ``StreamDecoder``.

    Implement either ``exchange`` (push: report from the I/O callback that read the bytes, the
    fast path of the built-in ``openai`` endpoint) or the simpler pair ``stream`` + ``decode``
    (pull: an async generator of wire events, one SSE event's data at a time; the default
    ``exchange`` drives it)."""

    kind = "endpoint"

    def __init__(self, config: EndpointConfig, options: BaseModel) -> None:
        self.config = config
        self.options = options

    async def open(self) -> None:
        """Open connections (one session per run)."""

    async def close(self) -> None:
        """Release connections."""

    @abc.abstractmethod
    async def list_models(self) -> list[ModelInfo]:
        """The models the server offers (``/v1/models``)."""

    async def exchange(self, request: ChatRequest, receiver: StreamReceiver) -> None:
        """Send a streamed request and report its traffic to ``receiver`` as it happens; raise
        ``TransportError`` when it fails for good. Cancellation abandons the request and
        releases its connection."""
        started = False
        async with contextlib.aclosing(self.stream(request)) as events:
            async for event in events:
                if isinstance(event, SSEData):
                    receiver.on_data(event.data)
                elif isinstance(event, ResponseStart):
                    started = True
                    receiver.on_response_start(
                        event.status, event.attempt, EventDecoder(self.decode)
                    )
                elif isinstance(event, RetryScheduled):
                    receiver.on_retry(event.attempt, event.reason, event.wait_s)
        if started:
            receiver.on_end()

    def stream(self, request: ChatRequest) -> AsyncGenerator[WireEvent, None]:
        """Pull API: send a streamed request and yield its wire events; raise
        ``TransportError`` when it fails for good. The core closes the generator (``aclose``)
        when it stops reading, so connections are released."""
        raise NotImplementedError(f"{type(self).__name__} implements neither exchange nor stream")

    def decode(self, data: bytes) -> list[StreamEvent]:
        """Pull API: parse one SSE event's data into stream events."""
        raise NotImplementedError(f"{type(self).__name__} implements neither exchange nor decode")


class EventDecoder:
    """The ``StreamDecoder`` of a pull-API endpoint: each piece is one SSE event's data,
    parsed by the endpoint's ``decode``."""

    __slots__ = ("_decode", "done", "events", "started")

    def __init__(self, decode: Callable[[bytes], list[StreamEvent]]) -> None:
        self._decode = decode
        self.events = 0
        self.started = False
        self.done = False

    def feed(self, data: bytes) -> list[StreamEvent]:
        """The events of one SSE event's data."""
        self.events += 1
        self.started = True
        events = self._decode(data)
        if not self.done and any(isinstance(event, StreamDone) for event in events):
            self.done = True
        return events

    def finish(self) -> list[StreamEvent]:
        """Nothing is pending between events."""
        return []


# --- shape ---


class ShapeSession(Protocol):
    """One agent conversation opened by a shape through the runtime."""

    @property
    def session_id(self) -> str:
        """The id of its records."""
        ...

    @property
    def agent(self) -> Agent:
        """The agent it runs."""
        ...

    @property
    def files(self) -> dict[str, str]:
        """The files it wrote so far."""
        ...

    @property
    def last_text(self) -> str:
        """Its latest final answer."""
        ...

    @property
    def stopped(self) -> bool:
        """A request failed for good: further turns are skipped."""
        ...

    async def turn(self, turn: Turn, *, context: str | None = None) -> TurnRecord | None:
        """Run one turn; ``context`` (information flowing in) is prepended to its message.
        None when the session has stopped."""
        ...

    def report(self) -> str:
        """A short final report: files written and the last STATUS line."""
        ...

    def share(self, files: Mapping[str, str]) -> None:
        """Make other agents' files readable (read-only) in this session's workspace."""
        ...

    def manifest(self) -> str:
        """A file manifest of the session's workspace: paths, sizes, top-level symbols."""
        ...

    async def close(self) -> SessionRecord:
        """End the session and emit its record."""
        ...


class ShapeRuntime(Protocol):
    """What the core offers a shape while it runs one scenario."""

    @property
    def scenario(self) -> Scenario:
        """The scenario being run."""
        ...

    def blocks(self) -> list[Block]:
        """The scenario's blocks, or one block per agent when it declares none."""
        ...

    def waves(self) -> list[list[Block]]:
        """Blocks grouped by declared dependencies (each wave needs only earlier waves)."""
        ...

    def open(self, agent: Agent, *, role: str) -> ShapeSession:
        """Open a conversation for ``agent`` (a scenario agent or one the shape made)."""
        ...

    def integration_turn(self, brief: str) -> Turn:
        """The scenario's integration turn (or the default one), with ``brief`` in front."""
        ...


class Shape(Component, abc.ABC):
    """An orchestration shape: which agent conversations run, in what order, and what
    information flows between them. It drives the runtime; the core records everything."""

    kind = "shape"

    def __init__(self, options: BaseModel) -> None:
        self.options = options

    @abc.abstractmethod
    async def execute(self, runtime: ShapeRuntime) -> None:
        """Run the scenario's blocks and, where the shape has one, the integration turn."""


# --- scorer ---


@dataclass(frozen=True)
class SessionView:
    """Everything a scorer may read about one finished agent session."""

    scenario: Scenario
    agent: Agent
    session: SessionRecord
    turns: list[TurnRecord]
    requests: list[RequestRecord]


class Score(BaseModel):
    """One measured value. ``turn_index`` is None for a session-level score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    value: float
    turn_index: int | None = None
    detail: str = ""


class Scorer(Component, abc.ABC):
    """Judges an agent session from its records."""

    kind = "scorer"

    def __init__(self, options: BaseModel) -> None:
        self.options = options

    @abc.abstractmethod
    def score(self, view: SessionView) -> list[Score]:
        """Scores for one session; turns with status error, timeout or fixture_gap are the
        scorer's to skip (they are never quality evidence)."""


# --- analyzer ---


class Finding(BaseModel):
    """A static-analysis finding in a file the model wrote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    tool: str
    code: str
    message: str
    line: int | None = None


class AnalyzerReport(BaseModel):
    """What an analyzer found over the files it handles."""

    model_config = ConfigDict(extra="forbid")

    analyzer: str
    files: list[str]
    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)


NO_SIGNAL = "no-signal"
"""``Finding.code`` of a measure that could not be taken: reported, never counted as a defect."""


class Analyzer(Component, abc.ABC):
    """Inspects the files the model wrote, statically, after the run. Never executes them.
    A ``fallback`` analyzer handles only files no other analyzer handles."""

    kind = "analyzer"
    fallback: ClassVar[bool] = False

    def __init__(self, options: BaseModel) -> None:
        self.options = options

    @abc.abstractmethod
    def handles(self, path: str) -> bool:
        """Whether this analyzer looks at a file of this path."""

    @abc.abstractmethod
    def analyze(self, files: Mapping[str, str], workdir: Path) -> AnalyzerReport:
        """Analyze ``files`` (path -> content), copied under the confined ``workdir``."""


# --- probe ---


@dataclass(frozen=True)
class ProbeContext:
    """Where a probe looks: the endpoint's base URL and an explicit metrics URL if given."""

    base_url: str
    metrics_url: str | None = None


class Probe(Component, abc.ABC):
    """Samples telemetry (server /metrics, GPU) before, during and after load levels."""

    kind = "probe"

    def __init__(self, options: BaseModel, context: ProbeContext) -> None:
        self.options = options
        self.context = context

    @abc.abstractmethod
    async def sample(self) -> dict[str, float] | None:
        """One sample of named values; None when the source is not available."""


# --- reporter ---


class Reporter(Component, abc.ABC):
    """Renders a result document."""

    kind = "reporter"

    def __init__(self, options: BaseModel) -> None:
        self.options = options

    @abc.abstractmethod
    def render(self, result: Mapping[str, Any], out: TextIO) -> None:
        """Write the rendering of ``result`` to ``out``."""


KINDS: dict[str, type[Component]] = {
    "endpoint": Endpoint,
    "shape": Shape,
    "scorer": Scorer,
    "analyzer": Analyzer,
    "probe": Probe,
    "reporter": Reporter,
}
