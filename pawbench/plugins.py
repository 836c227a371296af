"""PluginHost: loads plugins from the ``pawbench`` entry-point group into one pluggy manager.

There is no module-global manager: the CLI builds one host per process and passes it down.
Environment:

- ``PAWBENCH_DISABLE_PLUGIN_AUTOLOAD=1``: load only the built-ins (the ``pawbench``
  distribution's own entry points) and the plugins named in ``PAWBENCH_PLUGINS``;
- ``PAWBENCH_PLUGINS=a,b``: with autoload disabled, the third-party plugins to load anyway;
- ``PAWBENCH_BLOCK_PLUGINS=a,b``: never load these plugins (entry-point or distribution names).

A plugin that fails to import (or whose hook raises) is recorded as failed with the reason; it
fails only the runs that ask for one of its components. Two plugins providing a component of the
same kind and name is a conflict: ``get`` and ``check`` raise an error naming both.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal

import pluggy

from pawbench import hookspecs
from pawbench.components import KINDS, Component, Reporter, Scorer, Shape
from pawbench.errors import PluginError

ENTRY_POINT_GROUP = "pawbench"
CORE_DISTRIBUTION = "pawbench"
ENV_DISABLE_AUTOLOAD = "PAWBENCH_DISABLE_PLUGIN_AUTOLOAD"
ENV_PLUGINS = "PAWBENCH_PLUGINS"
ENV_BLOCK = "PAWBENCH_BLOCK_PLUGINS"

PluginStatus = Literal["loaded", "failed", "blocked", "not-autoloaded"]


@dataclass(frozen=True)
class PluginInfo:
    """One plugin (an entry point) and whether it loaded."""

    name: str
    distribution: str
    version: str
    status: PluginStatus
    error: str | None = None


@dataclass(frozen=True)
class ComponentInfo:
    """One component: what it is, who provides it, and whether it can be used."""

    kind: str
    name: str
    plugin: str
    distribution: str
    version: str
    status: Literal["loaded", "failed", "duplicate"]
    summary: str = ""
    error: str | None = None
    cls: type[Component] | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the class)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "plugin": self.plugin,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "summary": self.summary,
            "error": self.error,
        }


def _csv_env(name: str) -> set[str]:
    return {p.strip() for p in os.environ.get(name, "").split(",") if p.strip()}


def _truthy_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PluginHost:
    """Loads plugins lazily on first use and keeps each component's provenance."""

    def __init__(
        self,
        *,
        autoload: bool = True,
        allow: Iterable[str] = (),
        blocked: Iterable[str] = (),
        entry_points: Iterable[metadata.EntryPoint] | None = None,
    ) -> None:
        self.autoload = autoload
        self.allow = set(allow)
        self.blocked = set(blocked)
        self._entry_points = entry_points
        self._pm = pluggy.PluginManager("pawbench")
        self._pm.add_hookspecs(hookspecs)
        self._plugins: dict[str, PluginInfo] = {}
        self._components: list[ComponentInfo] | None = None

    @classmethod
    def from_environment(cls) -> PluginHost:
        """A host configured by the PAWBENCH_* environment variables."""
        return cls(
            autoload=not _truthy_env(ENV_DISABLE_AUTOLOAD),
            allow=_csv_env(ENV_PLUGINS),
            blocked=_csv_env(ENV_BLOCK),
        )

    # --- loading ---

    def register(self, plugin: object, name: str, distribution: str, version: str) -> None:
        """Register an already-imported plugin object (module or instance)."""
        self._pm.register(plugin, name=name)
        self._plugins[name] = PluginInfo(name, distribution, version, "loaded")
        self._components = None

    def _iter_entry_points(self) -> Iterable[metadata.EntryPoint]:
        if self._entry_points is not None:
            return self._entry_points
        return metadata.entry_points(group=ENTRY_POINT_GROUP)

    def _load_entry_points(self) -> None:
        for ep in self._iter_entry_points():
            dist = ep.dist.name if ep.dist is not None else "unknown"
            version = ep.dist.version if ep.dist is not None else "unknown"
            if ep.name in self._plugins:
                continue
            if ep.name in self.blocked or dist in self.blocked:
                self._plugins[ep.name] = PluginInfo(ep.name, dist, version, "blocked")
                continue
            third_party = dist != CORE_DISTRIBUTION
            if third_party and not self.autoload and ep.name not in self.allow:
                self._plugins[ep.name] = PluginInfo(ep.name, dist, version, "not-autoloaded")
                continue
            try:
                module = ep.load()
                self.register(module, ep.name, dist, version)
            except Exception as exc:  # a broken plugin must never break the host
                self._plugins[ep.name] = PluginInfo(
                    ep.name, dist, version, "failed", _one_line(exc)
                )

    def _collect(self) -> list[ComponentInfo]:
        found: list[ComponentInfo] = []
        for hook_name, kind in hookspecs.HOOK_KINDS.items():
            hook = getattr(self._pm.hook, hook_name)
            for impl in hook.get_hookimpls():
                info = self._plugins[impl.plugin_name]
                try:
                    classes = impl.function()
                    found.extend(self._describe(kind, info, c) for c in _as_list(classes))
                except Exception as exc:
                    self._plugins[info.name] = PluginInfo(
                        info.name, info.distribution, info.version, "failed", _one_line(exc)
                    )
        return _mark_duplicates(found)

    @staticmethod
    def _describe(kind: str, plugin: PluginInfo, cls: object) -> ComponentInfo:
        base = KINDS[kind]
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise TypeError(f"{cls!r} is not a subclass of pawbench.api.{base.__name__}")
        if not cls.name:
            raise TypeError(f"{cls.__name__} has no name")
        return ComponentInfo(
            kind=kind,
            name=cls.name,
            plugin=plugin.name,
            distribution=plugin.distribution,
            version=plugin.version,
            status="loaded",
            summary=cls.summary(),
            cls=cls,
        )

    def _ensure(self) -> list[ComponentInfo]:
        if self._components is None:
            self._load_entry_points()
            self._components = self._collect()
        return self._components

    # --- queries ---

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen, with its status."""
        self._ensure()
        return sorted(self._plugins.values(), key=lambda p: p.name)

    def components(self, kind: str | None = None) -> list[ComponentInfo]:
        """Every component (of one kind, if given), failed plugins included as 'failed' rows."""
        rows = list(self._ensure())
        for plugin in self._plugins.values():
            if plugin.status == "failed":
                rows.append(
                    ComponentInfo(
                        kind="?",
                        name="?",
                        plugin=plugin.name,
                        distribution=plugin.distribution,
                        version=plugin.version,
                        status="failed",
                        error=plugin.error,
                    )
                )
        rows = [r for r in rows if kind is None or r.kind in (kind, "?")]
        return sorted(rows, key=lambda r: (r.kind, r.name, r.plugin))

    def names(self, kind: str) -> list[str]:
        """Names of the usable components of a kind."""
        return sorted({c.name for c in self._ensure() if c.kind == kind and c.status == "loaded"})

    def conflicts(self) -> list[str]:
        """One message per duplicated component name."""
        seen: dict[tuple[str, str], list[ComponentInfo]] = {}
        for c in self._ensure():
            if c.status == "duplicate":
                seen.setdefault((c.kind, c.name), []).append(c)
        return [_conflict_message(rows) for rows in seen.values()]

    def check(self) -> None:
        """Raise PluginError if any component name is provided twice."""
        conflicts = self.conflicts()
        if conflicts:
            raise PluginError(conflicts[0])

    def get(self, kind: str, name: str) -> type[Component]:
        """The class of component ``name`` of ``kind``; a clear PluginError if unusable."""
        rows = [c for c in self._ensure() if c.kind == kind and c.name == name]
        if len(rows) > 1:
            raise PluginError(_conflict_message(rows))
        if rows and rows[0].cls is not None:
            return rows[0].cls
        known = ", ".join(self.names(kind)) or "none"
        message = f"unknown {kind} {name!r} (available: {known})"
        failed = [p for p in self._plugins.values() if p.status == "failed"]
        if failed:
            message += "; plugins that failed to load: " + "; ".join(
                f"{p.name} ({p.error})" for p in failed
            )
        raise PluginError(message)

    def get_typed(self, base: type[Any], name: str) -> type[Any]:
        """``get`` for a base class, e.g. ``host.get_typed(Scorer, "lola")``."""
        cls = self.get(base.kind, name)
        if not issubclass(cls, base):  # loading already checks it; kept for the type
            raise PluginError(f"{name!r} is not a {base.kind}")
        return cls

    def _create(self, base: type[Any], name: str) -> Any:
        cls = self.get_typed(base, name)
        return cls(cls.Options())

    def shape(self, name: str) -> Shape:
        """A shape with its default options."""
        created: Shape = self._create(Shape, name)
        return created

    def scorer(self, name: str) -> Scorer:
        """A scorer with its default options."""
        created: Scorer = self._create(Scorer, name)
        return created

    def reporter(self, name: str) -> Reporter:
        """A reporter with its default options."""
        created: Reporter = self._create(Reporter, name)
        return created


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"hook returned {type(value).__name__}, expected a list of classes")


def _mark_duplicates(found: list[ComponentInfo]) -> list[ComponentInfo]:
    counts: dict[tuple[str, str], int] = {}
    for c in found:
        counts[(c.kind, c.name)] = counts.get((c.kind, c.name), 0) + 1
    out: list[ComponentInfo] = []
    for c in found:
        if counts[(c.kind, c.name)] > 1:
            others = [o.plugin for o in found if (o.kind, o.name) == (c.kind, c.name) and o != c]
            c = ComponentInfo(
                **{
                    **c.__dict__,
                    "status": "duplicate",
                    "error": "also provided by " + ", ".join(others),
                }
            )
        out.append(c)
    return out


def _conflict_message(rows: list[ComponentInfo]) -> str:
    who = " and ".join(f"plugin {r.plugin!r} ({r.distribution} {r.version})" for r in rows)
    return (
        f"{rows[0].kind} {rows[0].name!r} is provided by both {who}; "
        f"block one with {ENV_BLOCK}=<plugin>"
    )


__all__ = ["ComponentInfo", "PluginHost", "PluginInfo"]
