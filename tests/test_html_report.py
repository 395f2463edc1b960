"""The --html report: one self-contained file that opens offline in a real browser with no
console error and no request for anything, small enough to send.

The browser tests drive Debian's headless ``chromium`` (installed by .ci/run) over the
DevTools protocol; they skip, saying why, where no browser exists. A control page with a
deliberate console error and an external image proves the checks can fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, find_chromium
from desks import TINY
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.experiment import Summary
from simdesk.render.formats import fmt_estimate
from simdesk.render.html import summary_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml"))
MAX_BYTES = 1_000_000
CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)
# An attribute or CSS value that would load something: src=, href=, url(...), @import.
LOADS = re.compile(r"""(?:\bsrc\s*=|\bhref\s*=|url\s*\(|@import)""", re.I)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    b = Browser(CHROMIUM)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def example_reports(
    tmp_path_factory: pytest.TempPathFactory, example_summaries: dict[str, Summary]
) -> dict[str, tuple[Path, Summary]]:
    out = tmp_path_factory.mktemp("reports")
    reports = {}
    for name, s in example_summaries.items():
        path = out / f"{name}.html"
        path.write_text(summary_html(s), encoding="utf-8")
        reports[name] = (path, s)
    return reports


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("replications: 10", "replications: 3"), encoding="utf-8")
    return path


def command_reports(tiny: Path, out: Path) -> dict[str, Path]:
    """The report of run, compare and sweep on a tiny desk (with a hostile-looking name)."""
    named = tiny.parent / "named.yaml"
    named.write_text(tiny.read_text().replace("name: tiny", "name: '<b>x</b> & \"y\"'"))
    runs = {
        "run": ["run", str(named)],
        "compare": ["compare", str(tiny), "--set", "pools.inhouse.agents=2,5"],
        "sweep": ["sweep", str(tiny), "--set", "pools.inhouse.agents=1:4:1",
                  "--set", "pools.bot.resolution.general=0.3,0.6",
                  "--figure", "pools.inhouse.service_level", "--figure", "wait_mean_s"],
    }
    paths = {}
    for name, args in runs.items():
        path = out / f"{name}.html"
        result = CliRunner().invoke(app, [*args, "--workers", "1", "--html", str(path)])
        assert result.exit_code == 0, result.output
        paths[name] = path
    return paths


def test_reports_are_self_contained_small_and_hold_the_figures(
    example_reports: dict[str, tuple[Path, Summary]],
) -> None:
    for name, (path, s) in example_reports.items():
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_size <= MAX_BYTES, (name, path.stat().st_size)
        assert not LOADS.search(text), (name, LOADS.search(text))
        assert "<svg" in text and "Content-Security-Policy" in text
        # the numbers are in tables beside the charts, as the tables print them
        for f in ("service_level", "abandonment_rate", "wait_mean_s", "occupancy"):
            assert fmt_estimate(f, s.totals[f]).replace("&", "&amp;") in text, (name, f)
        if s.erlang is not None:
            assert f"Erlang {s.erlang.model} reference" in text
        if any(sc["cost_total"].mean for sc in s.pools.values()):
            assert "cost per pool" in text


def test_a_three_pool_desk_report_is_at_most_1_mb(
    example_reports: dict[str, tuple[Path, Summary]],
) -> None:
    three = [p for p, s in example_reports.values() if len(s.pools) >= 3]
    assert three, "an example with three pools (always_human.yaml)"
    assert all(p.stat().st_size <= MAX_BYTES for p in three)


def test_names_are_escaped_in_the_report(tiny: Path, tmp_path: Path) -> None:
    paths = command_reports(tiny, tmp_path)
    text = paths["run"].read_text()
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in text
    sweep = paths["sweep"].read_text()
    assert "pools.inhouse.service_level against pools.inhouse.agents" in sweep
    compare = paths["compare"].read_text()
    assert "pools.inhouse.agents=5 - tiny" in compare


@needs_browser
def test_every_example_report_loads_in_a_browser_without_errors_or_requests(
    browser: Browser, example_reports: dict[str, tuple[Path, Summary]]
) -> None:
    for name, (path, _) in example_reports.items():
        page = browser.load(path)
        assert page.loaded, name
        assert page.errors == [], (name, page.errors)
        assert page.other_requests == [], (name, page.other_requests)


@needs_browser
def test_command_reports_load_in_a_browser_without_errors_or_requests(
    browser: Browser, tiny: Path, tmp_path: Path
) -> None:
    for name, path in command_reports(tiny, tmp_path).items():
        page = browser.load(path)
        assert page.loaded, name
        assert page.errors == [], (name, page.errors)
        assert page.other_requests == [], (name, page.other_requests)


@needs_browser
def test_the_browser_check_sees_console_errors_and_requests(
    browser: Browser, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><body><img src='http://127.0.0.1:9/x.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    page = browser.load(bad)
    assert page.loaded
    assert any("boom" in e for e in page.errors), page.errors
    assert "http://127.0.0.1:9/x.png" in page.other_requests
