"""The HTML report: self-contained, charts where data exists and a note where it does not,
model output escaped; opened in headless Chromium (skipped, with the reason, without it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pawbench.cli.app import run_cli
from tests.report.support import LEGACY_RESULT, quality_doc, write_result

RealResult = tuple[Path, dict[str, Any]]
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (apt-get install -y --no-install-recommends chromium)",
)
PAYLOAD = "<script>document.title='PWNED'</script><img src=x onerror=\"document.body.id='pwned'\">"


class _Tags(HTMLParser):
    """Start tags and <title> text of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def _parse(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def _html(tmp_path: Path, *results: Path) -> Path:
    out = tmp_path / "report.html"
    assert run_cli(["report", *map(str, results), "--html", str(out)]) == 0
    return out


def _chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _assert_self_contained(text: str) -> None:
    lowered = text.lower()
    for forbidden in ("<script", "<link", "<iframe", "@import", 'src="http', "src='http"):
        assert forbidden not in lowered, forbidden
    assert "content-security-policy" in lowered


def test_legacy_result_has_its_charts(tmp_path: Path) -> None:
    text = _html(tmp_path, LEGACY_RESULT).read_text()
    _assert_self_contained(text)
    # saturation, quality by tier, DQS + ablation, server series; no latency data in 1.1.4
    assert text.count("<svg") == 4
    assert "No data: no request latencies or levels" in text
    assert "Quality by tier" in text and "Ablation" in text and "kv_cache_usage" in text


def test_real_result_has_curves_latencies_and_replies(
    real_result: RealResult, tmp_path: Path
) -> None:
    text = _html(tmp_path, real_result[0]).read_text()
    _assert_self_contained(text)
    # saturation curve, latency distributions, quality by tier, DQS components and ablation,
    # server-metric time series: a real run fills every block
    assert text.count("<svg") == 5
    assert "No data" not in text
    assert '<pre class="reply">' in text and "SIMULATED endpoint" in text


def _hostile(tmp_path: Path) -> Path:
    doc = quality_doc(f"tag{PAYLOAD}", 0.5, 0.5)
    doc["model_card"] = {"id": f"model{PAYLOAD}"}
    doc["warnings"] = [f"warning{PAYLOAD}"]
    doc["quality_by_tier"] = {f"tier{PAYLOAD}": 0.5}
    doc["levels"] = [{"scenario_id": f"s{PAYLOAD}", "concurrency": 1, "requests": 1, "errors": {}}]
    path = write_result(tmp_path / "hostile", doc, records=[], name="hostile")
    turn = {"record": "turn", "scenario_id": "s", "agent_id": "a", "level": 1, "status": "ok"}
    turn["final_text"] = f"reply{PAYLOAD}"
    path.with_name(path.stem + ".requests.jsonl").write_text(json.dumps(turn) + "\n")
    return path


def test_model_output_is_escaped(tmp_path: Path) -> None:
    text = _html(tmp_path, _hostile(tmp_path)).read_text()
    _assert_self_contained(text)
    assert "<img" not in text.lower()
    assert "reply&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in text
    assert "tier&lt;script&gt;" in text  # the chart label, escaped by the SVG writer
    parsed = _parse(text)
    assert not [t for t, _ in parsed.tags if t in ("script", "img", "iframe", "object")]


@needs_chromium
def test_chromium_runs_no_script_from_model_output(tmp_path: Path) -> None:
    page = _html(tmp_path, _hostile(tmp_path))
    dom = _parse(_chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert dom.title.startswith("pawbench report: tag<script>")  # shown as text, never run
    assert dom.title != "PWNED"
    assert not [t for t, _ in dom.tags if t in ("script", "img")]
    assert all(attrs.get("id") != "pwned" for t, attrs in dom.tags if t == "body")


@needs_chromium
def test_chromium_renders_the_charts(tmp_path: Path) -> None:
    page = _html(tmp_path, LEGACY_RESULT)
    dom = _parse(_chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert sum(1 for t, _ in dom.tags if t == "svg") == 4
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2400)
    low, high = image.convert("L").getextrema()
    assert isinstance(low, int | float) and isinstance(high, int | float)  # one band: numbers
    assert low < 80 and high > 230  # dark text on a light page, not a blank image
    colors = image.getcolors(maxcolors=1_000_000) or []
    assert len(colors) > 100  # anti-aliased text and coloured chart lines


@needs_chromium
def test_compare_mode(real_result: RealResult, tmp_path: Path) -> None:
    page = _html(tmp_path, LEGACY_RESULT, real_result[0])
    text = page.read_text()
    _assert_self_contained(text)
    assert "pawbench comparison: 2 runs" in text and "(baseline)" in text
    dom = _parse(_chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert sum(1 for t, _ in dom.tags if t == "svg") == 3  # deltas, curves, tiers and DQS
