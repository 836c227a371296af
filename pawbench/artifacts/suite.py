"""The analyzers of a run: loaded from the plugin host, and which of them looks at which file.

A file goes to every analyzer that handles it, except that an analyzer whose class sets
``fallback = True`` (the built-in ``generic``) only gets files no other analyzer handles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pawbench.components import Analyzer
from pawbench.plugins import PluginHost


@dataclass
class AnalyzerSuite:
    """Instantiated analyzers by name, and the ones that could not be used (name -> reason)."""

    analyzers: dict[str, Analyzer] = field(default_factory=dict)
    unusable: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)

    def assign(self, paths: Iterable[str]) -> dict[str, list[str]]:
        """Analyzer name -> the paths it analyses (sorted); paths nobody handles are absent."""
        plan: dict[str, list[str]] = {}
        for path in sorted(paths):
            for name in self.handlers(path):
                plan.setdefault(name, []).append(path)
        return plan

    def handlers(self, path: str) -> list[str]:
        """The analyzers that look at ``path``."""
        found = [n for n, a in sorted(self.analyzers.items()) if _handles(a, path)]
        preferred = [n for n in found if not is_fallback(self.analyzers[n])]
        return preferred or found

    def describe(self) -> list[dict[str, Any]]:
        """One row per analyzer for the result block."""
        rows = [{**self.provenance.get(n, {}), "name": n, "status": "used"} for n in self.analyzers]
        rows += [
            {**self.provenance.get(n, {}), "name": n, "status": "unusable", "reason": why}
            for n, why in self.unusable.items()
        ]
        return sorted(rows, key=lambda r: str(r["name"]))


def is_fallback(analyzer: Analyzer) -> bool:
    """Whether an analyzer only takes files no other analyzer handles."""
    return type(analyzer).fallback


def _handles(analyzer: Analyzer, path: str) -> bool:
    try:
        return bool(analyzer.handles(path))
    except Exception:  # a broken plugin must not stop the analysis of the others
        return False


def load_suite(
    host: PluginHost, names: Sequence[str] | None = None, timeout_s: float | None = None
) -> AnalyzerSuite:
    """Instantiate the named analyzers (default: every loaded one). An analyzer whose Options
    has a ``timeout_s`` field gets ``timeout_s`` when given."""
    suite = AnalyzerSuite()
    infos = {c.name: c for c in host.components("analyzer") if c.status == "loaded"}
    for name in names if names is not None else host.names("analyzer"):
        info = infos.get(name)
        if info is not None:
            suite.provenance[name] = {
                "plugin": info.plugin,
                "distribution": info.distribution,
                "version": info.version,
            }
        try:
            cls = host.get("analyzer", name)
            suite.analyzers[name] = _instantiate(cls, timeout_s)
        except Exception as exc:  # a broken plugin is reported, never fatal
            suite.unusable[name] = _one_line(exc)
    return suite


def _instantiate(cls: type[Any], timeout_s: float | None) -> Analyzer:
    fields = getattr(cls.Options, "model_fields", {})
    settings = {"timeout_s": timeout_s} if timeout_s is not None and "timeout_s" in fields else {}
    analyzer = cls(cls.Options(**settings))
    if not isinstance(analyzer, Analyzer):
        raise TypeError(f"{cls.__name__} is not an Analyzer")
    return analyzer


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
