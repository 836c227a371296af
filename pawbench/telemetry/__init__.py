"""What the server did during a run, and what it and the client are: server metrics sampled
around and during each load level (``Telemetry``), the model card, the user's serving card
(``load_serving_card``) and the client's host (``client_info``). See docs/server-metrics.md."""

from __future__ import annotations

from pawbench.telemetry.client import client_info
from pawbench.telemetry.sampler import Telemetry
from pawbench.telemetry.serving_card import ServingCardError, load_serving_card

__all__ = ["ServingCardError", "Telemetry", "client_info", "load_serving_card"]
