"""Telemetry against realistic /metrics of vLLM V1 and V0, SGLang, TGI and llama.cpp over real
HTTP. The counters start at large lifetime values; every expected number below is the increase
during the level, computed by hand, and never the lifetime ratio."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from pawbench.components import ModelInfo

from .support import MetricsServer, render, run, telemetry


def plus(base: Mapping[str, float], **changes: float) -> dict[str, float]:
    """``base`` with the named values increased by ``changes``."""
    return {k: v + changes.get(k, 0) for k, v in base.items()}


async def measure(
    engine: str,
    phases: Sequence[Mapping[str, float]],
    routes: Mapping[str, Any] | None = None,
    model: ModelInfo | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One level over the fixture: ``phases[0]`` at the level start, the middle ones as
    samples during it, the last at its end. Returns the summary and the model card."""
    async with MetricsServer(render(engine, phases[0]), routes) as srv:
        tel = telemetry(srv.url + "/v1")
        async with tel:
            await tel.level_started("c4/demo", {"concurrency": 4, "scenario_id": "demo"})
            for values in phases[1:-1]:
                srv.text = render(engine, values)
                await tel.sample()
            srv.text = render(engine, phases[-1])
            await tel.level_finished("c4/demo")
            return tel.summary(), await tel.model_card(model)


V1_BEFORE = {
    "running0": 0,
    "running1": 0,
    "waiting0": 0,
    "waiting1": 0,
    "kv0": 0.0,
    "kv1": 0.0,
    "pq0": 100_000,
    "pq1": 80_000,
    "ph0": 10_000,
    "ph1": 8_000,
    "preempt": 7,
    "prompt0": 100_000,
    "prompt1": 80_000,
    "gen0": 50_000,
    "gen1": 40_000,
    "ok_stop": 100,
    "ok_length": 5,
    "drafts": 1_000,
    "draft_tokens": 3_000,
    "accepted": 1_500,
}
V1_DURING = plus(
    V1_BEFORE,
    running0=12,
    running1=10,
    waiting0=3,
    waiting1=4,
    kv0=0.5,
    kv1=0.3,
    pq0=1_000,
    ph0=900,
    prompt0=1_000,
    gen0=700,
    drafts=200,
    draft_tokens=600,
    accepted=450,
)
V1_AFTER = plus(
    V1_BEFORE,
    kv0=0.1,
    kv1=0.1,
    pq0=3_000,
    pq1=1_000,
    ph0=2_400,
    ph1=800,
    preempt=2,
    prompt0=3_000,
    prompt1=1_000,
    gen0=1_500,
    gen1=500,
    ok_stop=30,
    ok_length=5,
    drafts=400,
    draft_tokens=1_200,
    accepted=900,
)


def test_vllm_v1_level_values_are_the_level_deltas() -> None:
    routes = {"/version": {"version": "0.11.0"}}
    model = ModelInfo(
        id="Qwen/Qwen3-8B", owned_by="vllm", max_model_len=40960, raw={"root": "Qwen/Qwen3-8B"}
    )
    summary, card = run(lambda: measure("vllm_v1", [V1_BEFORE, V1_DURING, V1_AFTER], routes, model))
    assert summary["available"] is True and summary["engine"] == "vllm-v1"
    (level,) = summary["levels"]
    assert level["label"] == "c4/demo" and level["concurrency"] == 4 and level["complete"]
    assert level["samples"] == 3
    assert level["deltas"] == {
        "prompt_tokens": 4_000,
        "generation_tokens": 2_000,
        "prefix_cache_queries": 4_000,
        "prefix_cache_hits": 3_200,
        "preemptions": 2,
        "requests_finished": 35,
        "spec_drafts": 400,
        "spec_draft_tokens": 1_200,
        "spec_accepted_tokens": 900,
    }
    d = level["derived"]
    assert d["prefix_cache_hit_rate"] == 0.8  # 3200 / 4000, not the lifetime 21200 / 184000
    assert d["spec_acceptance_rate"] == 0.75  # 900 / 1200, not the lifetime 2400 / 4200
    assert d["spec_mean_acceptance_length"] == 3.25  # 1 + 900 / 400
    assert d["kv_cache_usage_peak"] == pytest.approx(0.4)  # mean over the two engines
    assert d["kv_cache_usage_mean"] == pytest.approx((0.0 + 0.4 + 0.1) / 3)
    assert d["queue_depth_peak"] == 7 and d["running_peak"] == 22
    assert d["preemptions"] == 2 and d["generation_tokens"] == 2_000
    assert summary["headline"]["prefix_cache_hit_rate"] == 0.8
    assert summary["headline"]["notes"] == []
    assert summary["series"]["phase"] == ["start", "during", "end"]
    assert summary["series"]["values"]["kv_cache_usage"] == pytest.approx([0.0, 0.4, 0.1])
    assert card["engine"] == "vllm-v1" and card["engine_version"] == "0.11.0"
    assert card["id"] == "Qwen/Qwen3-8B" and card["max_model_len"] == 40960
    assert card["config_info"]["vllm:cache_config_info"]["cache_dtype"] == "fp8_e4m3"


def test_the_run_sums_its_levels_and_skips_traffic_between_them() -> None:
    between = plus(V1_AFTER, prompt0=50_000, pq0=50_000, ph0=50_000, gen0=9_000)
    second_end = plus(between, prompt1=1_000, pq1=1_000, ph1=100, gen1=300)

    async def body() -> dict[str, Any]:
        async with MetricsServer(render("vllm_v1", V1_BEFORE)) as srv:
            tel = telemetry(srv.url)
            async with tel:
                await tel.level_started("c1/a")
                srv.text = render("vllm_v1", V1_AFTER)
                await tel.level_finished("c1/a")
                srv.text = render("vllm_v1", between)  # someone else's traffic
                await tel.sample()
                await tel.level_started("c2/a")
                srv.text = render("vllm_v1", second_end)
                await tel.level_finished("c2/a")
                return tel.summary()

    summary = run(body)
    _, second = summary["levels"]
    assert second["deltas"]["prompt_tokens"] == 1_000
    assert second["derived"]["prefix_cache_hit_rate"] == 0.1  # 100 / 1000
    assert summary["run"]["levels"] == 2
    assert summary["run"]["deltas"]["prompt_tokens"] == 5_000  # 4000 + 1000, not + 50000
    assert summary["run"]["deltas"]["generation_tokens"] == 2_300
    assert summary["run"]["derived"]["prefix_cache_hit_rate"] == 0.66  # (3200 + 100) / 5000
    assert summary["series"]["level"] == ["c1/a", "c1/a", None, "c2/a", "c2/a"]
    assert summary["series"]["phase"][2] == "idle"


def test_a_counter_reset_counts_from_zero() -> None:
    restarted = {k: 0.0 for k in V1_BEFORE} | {"prompt0": 300, "pq0": 300, "gen0": 100}
    end = restarted | {
        "prompt0": 1_300,
        "prompt1": 700,
        "pq0": 1_300,
        "pq1": 700,
        "ph0": 600,
        "ph1": 400,
        "gen0": 600,
        "gen1": 200,
    }
    summary, _ = run(lambda: measure("vllm_v1", [V1_BEFORE, restarted, end]))
    (level,) = summary["levels"]
    assert level["deltas"]["prompt_tokens"] == 2_000  # 300 after the restart, then 1700
    assert level["deltas"]["generation_tokens"] == 800
    assert level["derived"]["prefix_cache_hit_rate"] == 0.5  # 1000 / 2000
    assert level["counter_resets"] > 0
    assert any("restart" in note for note in summary["headline"]["notes"])


V0_BEFORE = {
    "running": 0,
    "waiting": 0,
    "kv": 0.0,
    "hit_rate": 0.62,
    "preempt": 3,
    "prompt": 500_000,
    "gen": 200_000,
    "ok": 900,
    "spec_rate": 0.55,
    "accepted": 4_000,
    "draft_tokens": 8_000,
}


def test_vllm_v0_rates_from_counters_and_its_hit_rate_only_as_a_gauge() -> None:
    during = V0_BEFORE | {
        "running": 6,
        "waiting": 2,
        "kv": 0.7,
        "hit_rate": 0.64,
        "spec_rate": 0.56,
    }
    after = plus(
        V0_BEFORE,
        kv=0.2,
        hit_rate=0.04,
        prompt=6_000,
        gen=3_000,
        ok=30,
        accepted=600,
        draft_tokens=800,
        preempt=1,
        spec_rate=0.02,
    )
    summary, card = run(lambda: measure("vllm_v0", [V0_BEFORE, during, after]))
    assert summary["engine"] == "vllm-v0"
    d = summary["levels"][0]["derived"]
    assert d["prefix_cache_hit_rate"] is None  # V0 has no prefix-cache counters
    assert d["prefix_cache_hit_rate_gauge_mean"] == pytest.approx(0.64)
    assert d["spec_acceptance_rate"] == 0.75  # 600 / 800
    assert d["spec_mean_acceptance_length"] is None  # V0 does not count drafts
    assert d["kv_cache_usage_peak"] == 0.7 and d["queue_depth_peak"] == 2
    assert d["prompt_tokens"] == 6_000 and d["generation_tokens"] == 3_000 and d["preemptions"] == 1
    assert any("gauge" in note for note in summary["headline"]["notes"])
    assert card["config_info"]["vllm:cache_config_info"]["num_gpu_blocks"] == "7281"


SGL_BEFORE = {
    "running": 0,
    "usage": 0.0,
    "queue": 0,
    "hit_gauge": 0.3,
    "accept_len": 2.1,
    "retracted": 4,
    "prompt": 8_128_902,
    "gen": 7_557_572,
    "cached_device": 600_000,
    "cached_host": 20_000,
    "requests": 9_000,
}


def test_sglang_counts_tensor_parallel_replicas_once() -> None:
    during = SGL_BEFORE | {
        "running": 8,
        "usage": 0.45,
        "queue": 5,
        "hit_gauge": 0.35,
        "accept_len": 2.5,
    }
    after = plus(
        SGL_BEFORE,
        usage=0.05,
        hit_gauge=0.1,
        accept_len=0.8,
        retracted=1,
        prompt=10_000,
        gen=4_000,
        cached_device=6_000,
        cached_host=1_500,
        requests=20,
    )
    routes = {
        "/get_model_info": {"model_path": "meta-llama/Llama-3.1-8B-Instruct", "is_generation": True}
    }
    summary, card = run(lambda: measure("sglang", [SGL_BEFORE, during, after], routes))
    assert summary["engine"] == "sglang"
    level = summary["levels"][0]
    assert level["deltas"]["prefix_cache_queries"] == 10_000
    assert level["deltas"]["prefix_cache_hits"] == 7_500  # device + host cached tokens
    d = level["derived"]
    assert d["prefix_cache_hit_rate"] == 0.75  # not the lifetime 620000 / 8128902
    assert d["preemptions"] == 1  # each TP rank reports the same retraction
    assert d["running_peak"] == 8 and d["queue_depth_peak"] == 5  # not 16 and 10
    assert d["kv_cache_usage_peak"] == 0.45
    assert d["spec_acceptance_length_gauge_mean"] == pytest.approx(2.5)
    assert d["generation_tokens"] == 4_000 and level["deltas"]["requests_finished"] == 20
    assert card["server_info"]["/get_model_info"]["is_generation"] is True


def test_tgi_token_counts_come_from_histogram_sums() -> None:
    before = {
        "batch": 0,
        "queue": 0,
        "count": 1_010,
        "success": 1_000,
        "input_sum": 512_000,
        "generated_sum": 128_000,
    }
    during = before | {"batch": 16, "queue": 9}
    after = plus(before, count=50, success=50, input_sum=25_000, generated_sum=12_000)
    info = {
        "model_id": "bigcode/starcoder2-15b",
        "version": "3.0.1",
        "max_total_tokens": 8192,
        "docker_label": "sha-4b8bc4d",
        "router": {"nested": "not copied"},
    }
    summary, card = run(lambda: measure("tgi", [before, during, after], {"/info": info}))
    assert summary["engine"] == "tgi"
    d = summary["levels"][0]["derived"]
    assert d["prompt_tokens"] == 25_000 and d["generation_tokens"] == 12_000
    assert summary["levels"][0]["deltas"]["requests_finished"] == 50
    assert d["running_peak"] == 16 and d["queue_depth_peak"] == 9
    assert d["kv_cache_usage_peak"] is None and d["prefix_cache_hit_rate"] is None
    assert card["engine_version"] == "3.0.1"
    assert card["server_info"]["/info"] == {
        "model_id": "bigcode/starcoder2-15b",
        "version": "3.0.1",
        "max_total_tokens": 8192,
        "docker_label": "sha-4b8bc4d",
    }


LCPP_BEFORE = {
    "prompt": 168_507,
    "cached": 3_314_650,
    "predicted": 18_722,
    "decodes": 1_501,
    "draft_tokens": 23_912,
    "accepted": 14_739,
    "drafts": 5_420,
    "processing": 0,
    "deferred": 0,
}


def test_llamacpp_prompt_tokens_exclude_the_cached_ones() -> None:
    during = LCPP_BEFORE | {"processing": 4, "deferred": 2}
    after = plus(
        LCPP_BEFORE,
        prompt=1_200,
        cached=4_800,
        predicted=950,
        decodes=300,
        draft_tokens=400,
        accepted=300,
        drafts=100,
    )
    props = {
        "build_info": "b6700-0b1bad14f",
        "model_path": "/models/qwen2.5-coder-7b-q4_k_m.gguf",
        "total_slots": 4,
        "default_generation_settings": {"n_ctx": 8192, "params": {}},
        "chat_template": "{% for m in messages %}...{% endfor %}",
    }
    summary, card = run(
        lambda: measure("llamacpp", [LCPP_BEFORE, during, after], {"/props": props})
    )
    assert summary["engine"] == "llamacpp"
    level = summary["levels"][0]
    assert level["deltas"]["generation_tokens"] == 950  # llamacpp:tokens_predicted_total
    assert level["deltas"]["prompt_tokens"] == 1_200
    d = level["derived"]
    assert d["prefix_cache_hit_rate"] == 0.8  # 4800 / (1200 + 4800)
    assert d["spec_acceptance_rate"] == 0.75 and d["spec_mean_acceptance_length"] == 4.0
    assert d["running_peak"] == 4 and d["queue_depth_peak"] == 2
    assert card["server_info"]["/props"] == {
        "build_info": "b6700-0b1bad14f",
        "model_path": "/models/qwen2.5-coder-7b-q4_k_m.gguf",
        "total_slots": 4,
        "default_generation_settings.n_ctx": 8192,
    }


def test_periodic_samples_are_taken_during_levels_only() -> None:
    async def body() -> dict[str, Any]:
        async with MetricsServer(render("vllm_v1", V1_BEFORE)) as srv:
            tel = telemetry(srv.url, interval_s=0.02)
            async with tel:
                await tel.level_started("c1/a")
                # wait (up to a generous 10 s) for three periodic samples
                for _ in range(1000):
                    if tel.summary()["series"]["phase"].count("during") >= 3:
                        break
                    await asyncio.sleep(0.01)
                await tel.level_finished("c1/a")
                await asyncio.sleep(0.1)  # five intervals between levels: nothing sampled
                return tel.summary()

    summary = run(body)
    phases = summary["series"]["phase"]
    assert phases[0] == "start" and phases[-1] == "end" and phases.count("during") >= 3
    assert set(summary["series"]["level"]) == {"c1/a"}
