"""The options of ``pawbench run`` as one validated model (the CLI only parses flags into it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


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
    max_steps: int = Field(default=4, ge=1, le=64)
    output: Path = Path("results")
    tag: str | None = None
    tokenizer: Path | None = None
    max_error_rate: float = Field(default=0.05, ge=0, le=1)
    sim_profile: str | None = None
    sim_seed: int = 0
    sim_time_scale: float = Field(default=0.05, ge=0)

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
        data["headers"] = sorted(self.headers)
        return data
