"""Run only by test_lifecycle.py, in a child pytest: a test that fails while a server runs.

Its name does not match ``test_*.py``, so the normal collection never picks it up.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.server import RealServer

pytestmark = pytest.mark.e2e


def test_fails_while_the_server_runs(tiny_server: RealServer) -> None:
    Path(os.environ["E2E_PROBE_PIDFILE"]).write_text(str(tiny_server.pid))
    raise AssertionError("deliberate failure: the fixture must still stop the server")
