"""API contracts kept as data: what the PawStyle scenarios ask models to build.

The contracts are not scenarios. They describe the HTTP API the PawStyle prompts specify
(paths, methods, status codes, seed data) so that prompts can be checked against them and
execution checks can replay their ``checks`` against the code a model wrote.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Request(_Strict):
    """An HTTP request a check sends first (e.g. to put something on the wishlist)."""

    method: Method
    path: str = Field(pattern=r"^/")
    json_body: Any = Field(default=None, alias="json")


class Check(_Strict):
    """One request against an endpoint and the status it must answer."""

    name: str
    path: str = Field(pattern=r"^/")
    json_body: Any = Field(default=None, alias="json")
    status: int = Field(ge=100, le=599)
    before: list[Request] = Field(default_factory=list)


class Response(_Strict):
    """A documented response: status, body kind and the keys the body (or each item) has."""

    status: int = Field(ge=100, le=599)
    description: str
    body: Literal["object", "array", "empty"]
    keys: list[str] = Field(default_factory=list)


class Endpoint(_Strict):
    """One route: method, path template (``{name}`` segments), responses and checks."""

    id: str
    method: Method
    path: str = Field(pattern=r"^/")
    summary: str
    query: dict[str, str] = Field(default_factory=dict)
    request_schema: dict[str, Any] | None = None
    responses: list[Response] = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)

    def statuses(self) -> list[int]:
        """The documented status codes, in file order."""
        return [r.status for r in self.responses]

    def matches(self, path: str) -> bool:
        """Whether a concrete or templated path (query string ignored) fits this route."""
        wanted = _segments(self.path)
        given = _segments(path)
        if len(wanted) != len(given):
            return False
        return all(
            _is_param(w) or _is_param(g) or w == g for w, g in zip(wanted, given, strict=True)
        )


class Product(_Strict):
    """A catalog product as the API returns it."""

    id: str
    name: str
    price_cents: int = Field(gt=0)
    lolas_pick: bool
    category: str
    sizes: list[str] = Field(min_length=1)


class SizeAdvice(_Strict):
    """One row of Lola's size chart."""

    breed: str
    recommended_size: str
    chest_cm: int = Field(gt=0)
    neck_cm: int = Field(gt=0)


class ApiContract(_Strict):
    """An API: its rules, seed data and endpoints."""

    name: str
    version: str
    description: str = ""
    rules: list[str] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    size_chart: list[SizeAdvice] = Field(default_factory=list)
    endpoints: list[Endpoint] = Field(min_length=1)

    def find(self, path: str, method: str | None = None) -> Endpoint | None:
        """The endpoint serving ``path`` (and ``method`` when given), if any."""
        for endpoint in self.endpoints:
            if endpoint.matches(path) and method in (None, endpoint.method):
                return endpoint
        return None


def _segments(path: str) -> list[str]:
    return [s for s in path.split("?", 1)[0].split("/") if s]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


@cache
def load_pawstyle_api() -> ApiContract:
    """The PawStyle API contract shipped with pawbench (parsed once)."""
    text = resources.files(__name__).joinpath("pawstyle_api.json").read_text(encoding="utf-8")
    return ApiContract.model_validate_json(text)


__all__ = [
    "ApiContract",
    "Check",
    "Endpoint",
    "Product",
    "Request",
    "Response",
    "SizeAdvice",
    "load_pawstyle_api",
]
