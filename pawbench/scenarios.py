"""Scenario catalog and loading: built-in scenarios plus user files, with one-line errors.

Built-in scenarios live in the top-level ``scenarios/`` folder of the source tree and are shipped
inside the wheel as ``pawbench/_scenarios``; they are read through importlib.resources. The one
fallback: in an editable install (or a bare source checkout) ``pawbench/_scenarios`` does not
exist, and the ``scenarios/`` folder next to the ``pawbench`` package is used instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from pawbench.errors import ScenarioError
from pawbench.models.scenario import Scenario
from pawbench.scenario_checks import reference_problems


def builtin_scenarios_dir() -> Path:
    """Where the built-in scenario JSON files are (wheel resources, else the source tree)."""
    packaged = resources.files("pawbench").joinpath("_scenarios")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "scenarios"


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``('agents', 0, 'turns', 1, 'expect')`` -> ``agents[0].turns[1].expect``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _describe(err: dict[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    simple = {
        "extra_forbidden": "unknown key",
        "missing": "required field is missing",
        "int_type": "must be an integer",
        "int_parsing": "must be an integer",
        "string_type": "must be a string",
        "list_type": "must be a list",
        "dict_type": "must be an object",
        "model_type": "must be an object",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
    }
    if kind in simple:
        return simple[kind]
    comparisons = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<="}
    if kind in comparisons:
        limit = next(iter(ctx.values()), "?")
        return f"must be {comparisons[kind]} {limit}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '?')}"
    if kind == "string_pattern_mismatch":
        return f"{err.get('input')!r} does not match {ctx.get('pattern')}"
    return str(err["msg"]).lower()


def _first_problem(err: ValidationError) -> tuple[str, str, int]:
    errors = err.errors()
    # A union field (inject_tool_results) reports one error per member; the first is enough.
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
    return format_loc(loc), _describe(dict(first)), len(errors)


def parse_scenario(data: bytes, source: str) -> Scenario:
    """Parse and check one scenario; ScenarioError('<source>: <path>: <problem>') if invalid."""
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ScenarioError(f"{source}: invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{source}: (top level): must be an object")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        path, problem, count = _first_problem(exc)
        more = f" (and {count - 1} more problem(s))" if count > 1 else ""
        raise ScenarioError(f"{source}: {path}: {problem}{more}") from None
    problems = reference_problems(scenario)
    if problems:
        path, problem = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ScenarioError(f"{source}: {path}: {problem}{more}")
    return scenario


def load_scenario_file(path: Path) -> Scenario:
    """Read and parse a scenario file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_scenario(data, str(path))


def content_hash(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON, recorded in results to tell versions apart."""
    canonical = orjson.dumps(
        scenario.model_dump(mode="json", by_alias=True, exclude_none=True),
        option=orjson.OPT_SORT_KEYS,
    )
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class CatalogEntry:
    """A scenario known to the catalog and where it came from."""

    scenario: Scenario
    path: Path
    builtin: bool


@dataclass
class ScenarioCatalog:
    """Built-in scenarios by id. Files in the folder that are not valid scenarios are skipped
    and listed in ``skipped`` so that they can never break a run."""

    directory: Path = field(default_factory=builtin_scenarios_dir)
    entries: dict[str, CatalogEntry] = field(default_factory=dict)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.json")):
            try:
                scenario = load_scenario_file(path)
            except ScenarioError as exc:
                self.skipped.append((path, str(exc)))
                continue
            if scenario.id in self.entries:
                self.skipped.append((path, f"{path}: duplicate scenario id {scenario.id!r}"))
                continue
            self.entries[scenario.id] = CatalogEntry(scenario, path, builtin=True)

    def ids(self) -> list[str]:
        """Built-in scenario ids, sorted."""
        return sorted(self.entries)

    def resolve(self, ref: str) -> Scenario:
        """A built-in id, or a path to a scenario file."""
        if ref in self.entries:
            return self.entries[ref].scenario
        path = Path(ref)
        if path.suffix == ".json" or path.exists():
            return load_scenario_file(path)
        known = ", ".join(self.ids()) or "none"
        raise ScenarioError(f"unknown scenario {ref!r} (built-in: {known}; or give a .json path)")
