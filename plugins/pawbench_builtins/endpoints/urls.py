"""Endpoint URLs and secret redaction.

``api_url`` accepts a base URL with or without the ``/v1`` suffix (and with or without a
trailing slash): ``http://localhost:8000`` and ``https://api.openai.com/v1`` both lead to
``.../v1/chat/completions``. A full ``.../v1/chat/completions`` or ``.../v1/models`` URL is
accepted too, and a URL without a scheme is taken as ``http://``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

_KNOWN_TAILS = ("/chat/completions", "/models")
MIN_SECRET_CHARS = 4
MASK = "***"


def api_url(base_url: str, path: str) -> str:
    """The URL of API route ``path`` (e.g. ``chat/completions``) under ``base_url``."""
    base = base_url.strip()
    if "://" not in base:
        base = "http://" + base
    parts = urlsplit(base)
    root = parts.path.rstrip("/")
    for tail in _KNOWN_TAILS:
        if root.endswith("/v1" + tail):
            root = root[: -len(tail)]
    if not root.endswith("/v1"):
        root += "/v1"
    return urlunsplit((parts.scheme, parts.netloc, f"{root}/{path.lstrip('/')}", parts.query, ""))


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its ``user:password@`` part, and the decoded user and password."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) or None


class Redactor:
    """Masks secret values (API key, header values, URL credentials) in text.

    Values shorter than ``MIN_SECRET_CHARS`` are not masked: they carry no secret worth the
    name and masking them would garble every message.
    """

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str | None]) -> None:
        found = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        # longest first, so that a secret containing another is masked whole
        self._secrets = sorted(found, key=len, reverse=True)

    @property
    def active(self) -> bool:
        """Whether there is anything to mask."""
        return bool(self._secrets)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


class Target(NamedTuple):
    """Where a request goes: connection host and port, TLS or not, the ``Host`` header value and
    the request target (path and query)."""

    host: str
    port: int
    tls: bool
    host_header: str
    path: str


def target(url: str) -> Target:
    """The connection details of an ``http://`` or ``https://`` URL; ``ValueError`` otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported URL scheme {parts.scheme!r} (use http:// or https://)")
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in URL {url!r}")
    tls = scheme == "https"
    default = 443 if tls else 80
    port = parts.port or default
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(host, port, tls, host_header, path)
