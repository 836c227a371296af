"""The model card: what the server says about the model and itself (``/v1/models``, the
engine's info routes such as vLLM's ``/version``, its config-info metrics, the detected engine),
and the local GPUs when ``--local-gpu`` says the server runs on this machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pawbench.components import ModelInfo

_MODEL_KEYS = ("root", "parent", "created")
SERVER_SOURCE = "the server (/v1/models, engine info routes, /metrics)"
GPU_SOURCE = "NVML on the machine that ran pawbench (--local-gpu: the server runs there)"


def _engine_version(server_info: Mapping[str, Any]) -> Any:
    for route in server_info.values():
        if isinstance(route, Mapping) and "version" in route:
            return route["version"]
    return None


def build_model_card(
    model: ModelInfo | None, descriptions: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The card from the chosen model and the probes' descriptions (``prometheus``: engine,
    config info, info routes; ``nvml``: GPUs)."""
    card: dict[str, Any] = {"source": SERVER_SOURCE}
    if model is not None:
        card.update(id=model.id, owned_by=model.owned_by, max_model_len=model.max_model_len)
        card.update({k: model.raw[k] for k in _MODEL_KEYS if model.raw.get(k) is not None})
    server = descriptions.get("prometheus", {})
    server_info = server.get("server_info") or {}
    card["engine"] = server.get("engine")
    card["engine_title"] = server.get("engine_title")
    card["engine_version"] = _engine_version(server_info)
    card["server_info"] = dict(server_info)
    card["config_info"] = dict(server.get("config_info") or {})
    gpu = descriptions.get("nvml")
    if gpu is not None:
        card["gpu"] = {"source": GPU_SOURCE, **gpu}
    return card
