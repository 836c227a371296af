"""Server URLs of the probes: the server root under an OpenAI base URL, and URLs fit to show."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def server_root(base_url: str) -> str:
    """The server root of an OpenAI-style base URL: ``http://h:8000/v1`` (or a full
    ``.../v1/chat/completions``) gives ``http://h:8000``; a URL without scheme is ``http://``.
    Credentials in the URL are kept (the request needs them); never show the result as is."""
    base = base_url.strip()
    if "://" not in base:
        base = "http://" + base
    parts = urlsplit(base)
    path = parts.path
    cut = path.find("/v1/")
    if cut >= 0:
        path = path[:cut]
    elif path.endswith("/v1"):
        path = path[:-3]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def shown(url: str) -> str:
    """``url`` without credentials, query or fragment: safe for messages and results."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
