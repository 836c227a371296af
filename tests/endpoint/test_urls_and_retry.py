"""Base URL forms, credential redaction, Retry-After parsing and backoff bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pawbench_builtins.endpoints.retry import backoff_s, parse_retry_after
from pawbench_builtins.endpoints.urls import Redactor, api_url, split_userinfo


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1"),
        ("http://localhost:8000/", "http://localhost:8000/v1"),
        ("http://localhost:8000/v1", "http://localhost:8000/v1"),
        ("http://localhost:8000/v1/", "http://localhost:8000/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
        ("http://gateway/proxy", "http://gateway/proxy/v1"),
        ("http://h:1/v1/chat/completions", "http://h:1/v1"),
        ("http://h:1/v1/models/", "http://h:1/v1"),
        ("localhost:8000", "http://localhost:8000/v1"),
        ("  http://localhost:8000  ", "http://localhost:8000/v1"),
    ],
)
def test_api_url_forms(base: str, root: str) -> None:
    assert api_url(base, "chat/completions") == root + "/chat/completions"
    assert api_url(base, "models") == root + "/models"


def test_api_url_keeps_query() -> None:
    assert api_url("https://h/v1?api-version=2", "models") == "https://h/v1/models?api-version=2"


def test_split_userinfo() -> None:
    assert split_userinfo("http://u:p%40ss@h:8000/v1") == ("http://h:8000/v1", "u", "p@ss")
    assert split_userinfo("http://h:8000") == ("http://h:8000", None, None)


def test_redactor() -> None:
    redact = Redactor(["sk-abcdef", "sk-abcdef-longer", None, "", "ab"])
    assert redact("key sk-abcdef-longer and sk-abcdef") == "key *** and ***"
    # values under four characters are not secrets worth masking
    assert redact("ab is fine") == "ab is fine"
    assert Redactor([None, "x"]).active is False


def test_parse_retry_after_seconds() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0.25 ") == 0.25
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


def test_parse_retry_after_http_date() -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now=now) == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0


def test_backoff_grows_and_is_capped() -> None:
    for retry, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        for _ in range(50):
            assert ceiling / 2 <= backoff_s(retry, 0.5, 8.0) <= ceiling
