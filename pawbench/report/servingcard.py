"""ServingCard export: what was served, how, and how fast, in one portable record.

Weight quantization and KV-cache dtype are separate fields, each with the place it came from
(the user's serving card or the model card); one is never inferred from the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from pawbench import __version__
from pawbench.report.curve import curve_points, integral
from pawbench.report.headline import HEADLINE
from pawbench.report.loader import LoadedResult
from pawbench.report.values import get, mapping, number
from pawbench.report.yaml_emit import to_yaml

SERVINGCARD_VERSION = "0.1"
_WEIGHT_KEYS = ("weight_quantization", "quantization", "weights_dtype")
_KV_KEYS = ("kv_cache_dtype", "kv_dtype", "cache_dtype")
_QUALITY = ("avg_quality", "tool_accuracy", "format_compliance", "useful_ratio", "dqs")


def _statement(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The user's serving card merged into the result (``serving_card``, its ``card`` when the
    statement is wrapped with its source and hash)."""
    block = mapping(doc.get("serving_card") or doc.get("servingcard"))
    return mapping(block.get("card")) if isinstance(block.get("card"), Mapping) else block


def _sourced(doc: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    for source, block in (("serving card", _statement(doc)), ("model card", doc.get("model_card"))):
        for key in keys:
            value = mapping(block).get(key)
            if value not in (None, ""):
                return {"value": value, "source": source}
    return {"value": None, "source": None}


def _engine(doc: Mapping[str, Any]) -> dict[str, Any]:
    card, statement = mapping(doc.get("model_card")), _statement(doc)
    engine = statement.get("engine") or card.get("engine")
    if isinstance(engine, Mapping):
        return {"name": engine.get("name"), "version": engine.get("version")}
    version = card.get("engine_version") or get(card, "version")
    return {"name": engine, "version": version if isinstance(version, str) else None}


def serving_card(result: LoadedResult) -> dict[str, Any]:
    """The ServingCard of one result (a plain JSON-ready dict)."""
    doc = result.document
    card, statement = mapping(doc.get("model_card")), _statement(doc)
    source, curve = curve_points(doc, result.requests_path)
    throughput = mapping(doc.get("dim1_throughput"))
    metrics = {m.key: m for m in HEADLINE}
    return {
        "servingcard_version": SERVINGCARD_VERSION,
        "generated_by": f"pawbench {__version__}",
        "source": {
            "tag": doc.get("tag"),
            "timestamp": doc.get("timestamp"),
            "result_format": result.format,
            "simulated": bool(doc.get("simulated", False)),
            "endpoint": doc.get("endpoint"),
        },
        "model": {
            "id": card.get("id"),
            "max_model_len": card.get("max_model_len"),
            "owned_by": card.get("owned_by"),
        },
        "engine": _engine(doc),
        "weight_quantization": _sourced(doc, _WEIGHT_KEYS),
        "kv_cache_dtype": _sourced(doc, _KV_KEYS),
        "speculative_decoding": statement.get("speculative") or statement.get("speculative_config"),
        "hardware": statement.get("gpu") or statement.get("hardware") or card.get("gpu"),
        "serving_flags": statement.get("flags") or statement.get("serving_flags"),
        "performance": {
            "single_agent_tok_s": number(throughput.get("avg_single_tok_s")),
            "ttft_ms": number(throughput.get("avg_ttft_ms")),
            "raw_peak_tok_s": number(throughput.get("raw_peak_tok_s")),
            "raw_peak_concurrency": integral(number(throughput.get("raw_peak_concurrency"))),
            "saturation_source": source,
            "saturation_curve": curve,
        },
        "quality": {key: metrics[key].read(doc) for key in _QUALITY},
    }


def write_serving_card(result: LoadedResult, path: Path) -> None:
    """JSON, or YAML when the file name ends in .yaml / .yml."""
    card = serving_card(result)
    if path.suffix.lower() in (".yaml", ".yml"):
        path.write_text(to_yaml(card), encoding="utf-8")
    else:
        path.write_bytes(orjson.dumps(card, option=orjson.OPT_INDENT_2) + b"\n")
