"""The options of ``pawbench run`` as one validated model (the CLI only parses flags into it)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from pawbench.redact import redact_url

DEFAULT_SATURATION_S = 20.0
"""Steady-state window of a saturation level against a real endpoint, seconds."""
DEFAULT_WARMUP_S = 3.0
"""Warm-up of a saturation level against a real endpoint, seconds."""
SIM_MIN_SATURATION_S = 1.0
SIM_MIN_WARMUP_S = 0.25


class RunOptions(BaseModel):
    """Everything a run needs to know. Secrets are SecretStr: they never print."""

    model_config = ConfigDict(extra="forbid")

    endpoint: str | None = None
    endpoint_plugin: str = "openai"
    model: str | None = None
    api_key: SecretStr | None = None
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    temperature: float | None = None
    max_tokens: int | None = Field(default=1024, ge=1)
    seed: int | None = None
    connect_timeout_s: float = Field(default=10.0, gt=0)
    ttfb_timeout_s: float = Field(default=300.0, gt=0)
    idle_timeout_s: float = Field(default=60.0, gt=0)
    request_timeout_s: float | None = Field(default=None, gt=0)
    verify_tls: bool = True
    max_retries: int = Field(default=3, ge=0)
    scenarios: list[str] = Field(default_factory=list)
    concurrency: list[int] = Field(default_factory=lambda: [1, 2, 4])
    scorers: list[str] = Field(default_factory=list)
    max_steps: int | None = Field(default=None, ge=1, le=64)
    tool_choice: Literal["auto", "required", "none"] | None = None
    output: Path = Path("results")
    tag: str | None = None
    tokenizer: Path | None = None
    max_error_rate: float = Field(default=0.05, ge=0, le=1)
    sim_profile: str | None = None
    sim_seed: int = 0
    sim_time_scale: float = Field(default=0.05, ge=0)
    scenario_levels: bool = True
    saturation: bool = True
    saturation_levels: list[int] | None = None
    request_rates: list[float] = Field(default_factory=list)
    saturation_duration_s: float | None = Field(default=None, gt=0)
    saturation_requests: int | None = Field(default=None, ge=1)
    warmup_s: float | None = Field(default=None, ge=0)
    saturation_output_tokens: int = Field(default=256, ge=1)
    saturation_prompt_tokens: int = Field(default=256, ge=1)
    max_in_flight: int = Field(default=1024, ge=1)
    slo: dict[str, float] = Field(default_factory=dict)
    weights: Path | None = None
    ablate: str | None = None
    verification_runs: int = Field(default=1, ge=1, le=50)
    orchestration: list[str] = Field(default_factory=list)
    context_tiers: list[str] = Field(default_factory=lambda: ["standard"])
    metrics_url: str | None = None
    metrics_interval_s: float = Field(default=2.0, gt=0)
    local_gpu: bool = False
    serving_card: Path | None = None
    quality_analysis: bool = True
    quality_timeout_s: float = Field(default=120.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> RunOptions:
        if not self.scenario_levels and not self.saturation:
            raise ValueError("nothing to run: scenario levels and saturation are both off")
        if self.saturation_duration_s is not None and self.saturation_requests is not None:
            raise ValueError("give a saturation duration or a request count, not both")
        if any(r <= 0 for r in self.request_rates):
            raise ValueError("request rates must be positive")
        return self

    def sweep_levels(self) -> list[int]:
        """Concurrency levels of the saturation test (default: the scenario levels)."""
        return sorted(set(self.saturation_levels or self.concurrency))

    def saturation_window(self, simulated: bool) -> tuple[float | None, float]:
        """(steady-state seconds or None with a request count, warm-up seconds). Defaults:
        20 s and 3 s; against the embedded simulator, the same durations of *simulated* time
        (× ``sim_time_scale``), at least 1 s and 0.25 s."""
        scale = self.sim_time_scale if simulated else 1.0
        duration = self.saturation_duration_s
        if duration is None and self.saturation_requests is None:
            duration = DEFAULT_SATURATION_S * scale
            duration = max(duration, SIM_MIN_SATURATION_S) if simulated else duration
        warmup = self.warmup_s
        if warmup is None:
            warmup = DEFAULT_WARMUP_S * scale
            warmup = max(warmup, SIM_MIN_WARMUP_S) if simulated else warmup
        return duration, warmup

    def max_connections(self) -> int:
        """Connections the endpoint may open: the most requests ever in flight, plus two."""
        most = max(self.concurrency)
        if self.saturation:
            most = max(most, *self.sweep_levels())
            if self.request_rates:
                most = max(most, self.max_in_flight)
        return most + 2

    def secrets(self) -> list[str]:
        """Every secret value, for scrubbing messages."""
        values = [v.get_secret_value() for v in self.headers.values()]
        if self.api_key is not None:
            values.append(self.api_key.get_secret_value())
        return values

    def public(self) -> dict[str, object]:
        """The options as recorded in a result: secrets reduced to whether they were set."""
        data = self.model_dump(mode="json", exclude={"api_key", "headers"})
        data["api_key_set"] = self.api_key is not None
        if self.metrics_url is not None:
            data["metrics_url"] = redact_url(self.metrics_url)
        data["headers"] = sorted(self.headers)
        return data
