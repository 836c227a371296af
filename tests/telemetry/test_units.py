"""Units: engine detection and mapping, counter arithmetic, URLs, the model card, client info."""

from __future__ import annotations

import pytest
from pawbench_builtins.probes.adapters import (
    adapter_named,
    canonical,
    detect,
    load_adapters,
    parse_metrics,
    select_keys,
)
from pawbench_builtins.probes.urls import server_root, shown

from pawbench.components import ModelInfo
from pawbench.plugins import PluginHost
from pawbench.telemetry import client_info
from pawbench.telemetry.derive import Sample, counter_increase, run_block, window_block
from pawbench.telemetry.model_card import build_model_card

from .support import render
from .test_engines import LCPP_BEFORE, SGL_BEFORE, V0_BEFORE, V1_BEFORE


@pytest.mark.parametrize(
    ("fixture", "values", "engine"),
    [
        ("vllm_v1", V1_BEFORE, "vllm-v1"),
        ("vllm_v0", V0_BEFORE, "vllm-v0"),
        ("sglang", SGL_BEFORE, "sglang"),
        (
            "tgi",
            {"batch": 1, "queue": 0, "count": 2, "success": 2, "input_sum": 9, "generated_sum": 4},
            "tgi",
        ),
        ("llamacpp", LCPP_BEFORE, "llamacpp"),
    ],
)
def test_the_engine_is_detected_from_its_metric_names(
    fixture: str, values: dict[str, float], engine: str
) -> None:
    adapter = detect(parse_metrics(render(fixture, values)))
    assert adapter is not None and adapter.name == engine


def test_vllm_v1_values_sum_label_sets_and_average_usage() -> None:
    values = V1_BEFORE | {"kv0": 0.6, "kv1": 0.2, "running0": 3, "running1": 4}
    adapter = adapter_named("vllm-v1")
    assert adapter is not None
    got = canonical(parse_metrics(render("vllm_v1", values)), adapter)
    assert got["prompt_tokens_total"] == 180_000  # both engines
    assert got["requests_finished_total"] == 105  # every finished reason
    assert got["kv_cache_usage"] == pytest.approx(0.4)
    assert got["requests_running"] == 7
    assert got["preemptions_total"] == 7


def test_legacy_llamacpp_names() -> None:
    values = {
        "prompt": 10,
        "predicted": 20,
        "draft_tokens": 8,
        "accepted": 6,
        "kv": 0.5,
        "kv_tokens": 1234,
        "processing": 1,
        "deferred": 0,
    }
    index = parse_metrics(render("llamacpp_legacy", values))
    adapter = detect(index)
    assert adapter is not None and adapter.name == "llamacpp"
    got = canonical(index, adapter)
    assert got["kv_cache_usage"] == 0.5 and got["spec_accepted_tokens_total"] == 6
    assert "prefix_cache_queries_total" not in got  # this build does not count cached tokens


def test_detection_falls_back_to_the_name_prefix_and_knows_nothing_else() -> None:
    adapter = detect(parse_metrics("vllm:some_future_metric 1\n"))
    assert adapter is not None and adapter.name == "vllm-v1"
    assert detect(parse_metrics("process_open_fds 12\n")) is None
    with pytest.raises(ValueError):
        parse_metrics("this is { not prometheus\n")


def test_every_adapter_names_counters_and_gauges_consistently() -> None:
    for adapter in load_adapters():
        for key, rule in adapter.metrics.items():
            assert rule.sources or rule.sum_of, (adapter.name, key)


def test_counter_increase_and_resets() -> None:
    assert counter_increase([10, 15, 15, 20]) == (10, 0)
    assert counter_increase([100, 3, 8]) == (8, 1)  # restart: 3 since it, then 5
    assert counter_increase([5]) == (0, 0)


def test_windows_need_two_readings_and_the_run_sums_levels() -> None:
    a = [
        Sample(0, 0, "start", {"x_total": 100, "g": 1}),
        Sample(1, 0, "end", {"x_total": 110, "g": 3}),
    ]
    b = [Sample(2, 1, "start", {"x_total": 500}), Sample(3, 1, "end", {"g": 2}, frozenset({"p"}))]
    block = window_block(a)
    assert block["deltas"] == {"x": 10}
    assert block["gauges"]["g"] == {"peak": 3, "mean": 2.0, "samples": 2}
    assert window_block(b)["deltas"] == {}  # one reading of x: no increase known
    run = run_block([a, b])
    assert run["deltas"] == {"x": 10} and run["gauges"]["g"]["peak"] == 3
    assert run["derived"]["prefix_cache_hit_rate"] is None


def test_zero_queries_give_no_rate() -> None:
    window = [
        Sample(0, 0, "start", {"prefix_cache_queries_total": 5, "prefix_cache_hits_total": 5}),
        Sample(1, 0, "end", {"prefix_cache_queries_total": 5, "prefix_cache_hits_total": 5}),
    ]
    assert window_block(window)["derived"]["prefix_cache_hit_rate"] is None


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("http://h:8000/v1", "http://h:8000"),
        ("http://h:8000/v1/", "http://h:8000"),
        ("http://h:8000", "http://h:8000"),
        ("h:8000/v1/chat/completions", "http://h:8000"),
        ("https://proxy/llm/v1?x=1", "https://proxy/llm"),
        ("http://u:p@h:1/v1", "http://u:p@h:1"),
    ],
)
def test_server_root(base: str, root: str) -> None:
    assert server_root(base) == root


def test_shown_urls_carry_no_credentials() -> None:
    assert shown("http://u:p@h:1/metrics?token=x#f") == "http://h:1/metrics"


def test_select_keys_copies_scalars_only() -> None:
    doc = {"a": 1, "b": {"c": "x", "d": {"e": 1}}, "f": [1]}
    assert select_keys(doc, ["a", "b.c", "b.d", "f", "missing.key"]) == {"a": 1, "b.c": "x"}


def test_model_card_from_the_model_and_the_probe_descriptions() -> None:
    model = ModelInfo(
        id="m",
        owned_by="me",
        max_model_len=4096,
        raw={"root": "/weights/m", "parent": None, "permission": [{"x": 1}]},
    )
    server = {
        "engine": "vllm-v1",
        "engine_title": "vLLM (V1 engine)",
        "server_info": {"/version": {"version": "0.11.0"}},
        "config_info": {},
    }
    card = build_model_card(model, {"prometheus": server})
    assert card["id"] == "m" and card["root"] == "/weights/m" and "parent" not in card
    assert "permission" not in card and "gpu" not in card
    assert card["engine_version"] == "0.11.0"


def test_client_info_is_labelled_and_lists_plugin_versions() -> None:
    info = client_info(PluginHost())
    assert info["label"] == "client" and "not the server" in info["note"]
    assert info["cpu_count"] and info["python"]["version"]
    names = {p["name"] for p in info["plugins"]}
    assert {"probe-prometheus", "probe-nvml"} <= names
    assert "hostname" not in info and "node" not in info
