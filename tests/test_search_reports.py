"""What optimize, staff and roster show: tables whole at 80 columns and when redirected,
and an HTML report (``--html``) that holds the same numbers, opens offline in a real
browser with no console error and no request, and is never written over an input.

Expected texts come from each command's own --json, formatted by the functions the
tables use (render/formats.py), and must appear as whole cells in the row of their
interval, target or point; nothing here holds a copy of the output.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, find_chromium
from test_output import assert_fits, cell_pairs, est
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.render.formats import fmt_estimate, fmt_value

ENV = {"NO_COLOR": "1", "TERM": "dumb"}
CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"
)
NAME = "'<b>x</b> & \"y\"'"
"""A scenario name that would be markup in HTML and in Rich."""

# A bot, a vendor pool chatting two at a time and an in-house pool, with overflow and
# abandonment; three hours, so a search over a 7 x 6 grid takes a few seconds.
DESK = f"""\
name: {NAME}
seed: 11
horizon: 3h
warmup: 30m
replications: 3
demand:
  arrival_rate: 150/h
  types:
    - {{name: billing, share: 0.6, channel: chat}}
    - {{name: tech, share: 0.4}}
customers:
  patience: exponential(mean=3m)
pools:
  - {{name: bot, kind: bot, concurrency: 20, handle_time: exponential(mean=2m),
     resolution: {{billing: 0.5, tech: 0.2}}, cost: {{per_conversation: 0.2}}}}
  - {{name: vendor, kind: vendor, agents: 10, concurrency: 2,
     handle_time: exponential(mean=8m), fcr: 0.8, cost: {{per_hour: 12}}}}
  - {{name: inhouse, kind: inhouse, agents: 10, handle_time: exponential(mean=6m),
     cost: {{per_hour: 30}}}}
routing:
  billing: {{path: [bot, vendor, inhouse], overflow_after: 30s}}
  tech: {{path: [bot, inhouse, vendor], overflow_after: 60s}}
targets:
  service_level: {{within: 30s, at_least: 0.8}}
  max_abandonment: 0.05
"""
VARY = ["--vary", "pools.vendor.agents=2:8", "--vary", "pools.inhouse.agents=3:8"]

# Two peaks, abandonment, a bot in front (as in test_staffing.py).
PEAKS = f"""\
name: {NAME}
seed: 3
horizon: 1d
replications: 3
demand:
  arrival_rate: 90/h
  intraday: [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.8, 2.2, 2.0, 1.4,
             1.1, 1.0, 1.2, 1.7, 2.1, 1.9, 1.3, 0.8, 0.5, 0.3, 0.2, 0.1]
  types: [{{name: general, share: 1.0}}]
customers:
  patience: exponential(mean=3m)
pools:
  - {{name: bot, kind: bot, handle_time: "exponential(mean=1m)", resolution: 0.4}}
  - {{name: inhouse, kind: inhouse, agents: 5, handle_time: "exponential(mean=5m)",
     cost: {{per_hour: 25}}}}
routing:
  general: [bot, inhouse]
targets:
  service_level: {{within: 30s, at_least: 0.8}}
  max_abandonment: 0.05
"""
ROSTER = ["--lengths", "8h", "--starts", "30m", "--break", "30m", "--interval", "30m"]
COMMANDS = {
    "optimize": ("desk", ["optimize", *VARY]),
    "staff": ("peaks", ["staff", "--pool", "inhouse"]),
    "roster": ("peaks", ["roster", "--pool", "inhouse", *ROSTER]),
}
WIDTHS = {"80-columns": ["--width", "80"], "redirected": []}


class Ran:
    """One command's output at one width, with its JSON and its HTML report."""

    def __init__(self, code: int, out: str, doc: dict[str, Any], html: str, path: Path):
        self.code, self.out, self.doc, self.html, self.path = code, out, doc, html, path


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Ran]:
    """Each command at each width, run once for the whole module."""
    tmp = tmp_path_factory.mktemp("search")
    files = {"desk": tmp / "desk.yaml", "peaks": tmp / "peaks.yaml"}
    files["desk"].write_text(DESK)
    files["peaks"].write_text(PEAKS)
    out: dict[tuple[str, str], Ran] = {}
    for command, (desk, args) in COMMANDS.items():
        for wid, width in WIDTHS.items():
            js, page = tmp / f"{command}-{wid}.json", tmp / f"{command}-{wid}.html"
            result = CliRunner().invoke(
                app,
                [args[0], str(files[desk]), *args[1:], "--workers", "1", "--json", str(js),
                 "--html", str(page), *width],
                env=ENV,
            )
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise result.exception
            out[command, wid] = Ran(result.exit_code, result.stdout,
                                    json.loads(js.read_text()), page.read_text(), page)
    return out


def _mean(doc: dict[str, Any]) -> float:
    return math.nan if doc["mean"] is None else float(doc["mean"])


# ------------------------------------------------------------------- tables, any width


@pytest.mark.parametrize("wid", list(WIDTHS))
def test_optimize_tables_are_whole(ran: dict[tuple[str, str], Ran], wid: str) -> None:
    r = ran["optimize", wid]
    assert r.code == 0, r.out
    assert_fits(r.out, 80 if WIDTHS[wid] else None)
    pairs = cell_pairs(r.out)
    doc = r.doc
    answer = doc["answer"]
    for t in answer["targets"]:
        for text in (t["goal"], fmt_value(t["figure"], t["mean"]),
                     fmt_value(t["figure"], t["bound"]), "met"):
            assert (t["name"], text) in pairs, (t["name"], text)
    assert doc["frontier"], "a frontier to show"
    for p in doc["frontier"]:
        first = str(p["parameters"]["pools.vendor.agents"])
        assert (first, fmt_value("cost_total", p["objective"])) in pairs, p
        assert (first, str(p["parameters"]["pools.inhouse.agents"])) in pairs, p
        assert (first, p["binding"]) in pairs, p
    n = doc["replications"]
    assert ("cost_total", fmt_estimate("cost_total", est(answer["totals"]["cost_total"], n))) \
        in pairs


@pytest.mark.parametrize("command", ["staff", "roster"])
@pytest.mark.parametrize("wid", list(WIDTHS))
def test_staffing_tables_are_whole(
    ran: dict[tuple[str, str], Ran], command: str, wid: str
) -> None:
    r = ran[command, wid]
    assert r.code == 0, r.out
    assert_fits(r.out, 80 if WIDTHS[wid] else None)
    pairs = cell_pairs(r.out)
    doc = r.doc
    assert len(doc["intervals"]) == (48 if command == "roster" else 24)
    for row in doc["intervals"]:
        label = f"{row['start']}-{row['end']}"
        assert (label, f"{row['load']:.2f}") in pairs, (label, row["load"])
        assert (label, str(row["required"])) in pairs, (label, "required")
        assert (label, str(row["scheduled"])) in pairs, (label, "scheduled")
        if row["required_isa"] is not None:
            assert (label, str(row["required_isa"])) in pairs, (label, "ISA")
        for t in row["targets"]:
            text = fmt_value(t["figure"], t["bound"]) if row["judged"] else "-"
            assert (label, text) in pairs, (label, t["name"], text)
        assert (label, "met" if row["met"] else "missed") in pairs or not row["judged"]
    n = doc["replications"]
    for t in doc["targets"]:
        mean = fmt_estimate(t["figure"], est(doc["totals"][t["figure"]], n))
        for text in (t["goal"], mean, fmt_value(t["figure"], t["bound"])):
            assert (t["name"], text) in pairs, (t["name"], text)
    cost = fmt_estimate("cost_total", est(doc["totals"]["cost_total"], n))
    assert ("cost_total", cost) in pairs
    assert ("shifts written", str(len(doc["shifts"]))) in pairs
    if command == "roster":
        paid = fmt_value("cost_total", doc["paid_hours_cost_per_day"])
        assert ("roster: paid hours x cost per hour, per day", paid) in pairs
    if not WIDTHS[wid]:
        assert "(continued)" not in r.out  # redirected: one table each, as wide as needed


# ------------------------------------------------------------------------- the reports


class Cells(HTMLParser):
    """Every table row of a page as its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_rows(html: str) -> list[list[str]]:
    parser = Cells()
    parser.feed(html)
    return parser.rows


def test_optimize_report_holds_the_answer_targets_frontier_and_runs(
    ran: dict[tuple[str, str], Ran],
) -> None:
    r = ran["optimize", "redirected"]
    doc, rows = r.doc, html_rows(r.html)
    n = doc["replications"]
    answer = doc["answer"]
    for f in ("service_level", "abandonment_rate", "cost_total"):
        e = est(answer["totals"][f], n)
        assert [f, fmt_estimate(f, e)] == rows[[row[0] for row in rows].index(f)][:2], f
    for t in answer["targets"]:
        assert [t["name"], t["goal"], fmt_value(t["figure"], t["mean"]),
                fmt_value(t["figure"], t["bound"]), "met"] in rows, t
    for p in doc["frontier"]:
        params = [str(v) for v in p["parameters"].values()]
        assert [*params, fmt_value("cost_total", p["objective"])] in [row[:3] for row in rows]
    assert len([row for row in rows if row and row[0].isdigit()]) >= doc["points_simulated"]
    assert f"{doc['runs']:,} simulation runs" in r.html
    assert f"of the {doc['grid_runs']:,} runs" in r.html
    # the frontier chart: cost against the binding target, the goal drawn
    binding = doc["answer"]["binding"]
    assert f"{binding}: one-sided 95% bound against cost_total" in r.html
    assert "<svg" in r.html and "goal " in r.html
    # names are the user's text, escaped
    assert "<b>x</b>" not in r.html and "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in r.html


@pytest.mark.parametrize("command", ["staff", "roster"])
def test_staffing_report_holds_required_and_scheduled_per_interval(
    ran: dict[tuple[str, str], Ran], command: str
) -> None:
    r = ran[command, "redirected"]
    doc, rows = r.doc, html_rows(r.html)
    by_label = {row[0]: row for row in rows if row}
    for row in doc["intervals"]:
        cells = by_label[f"{row['start']}-{row['end']}"]
        assert str(row["required"]) in cells and str(row["scheduled"]) in cells
        assert f"{row['load']:.2f}" == cells[1]
    assert "required" in r.html and "scheduled" in r.html and "<svg" in r.html
    assert "<b>x</b>" not in r.html


def test_reports_are_self_contained(ran: dict[tuple[str, str], Ran]) -> None:
    from test_html_report import LOADS, MAX_BYTES

    for (command, _), r in ran.items():
        assert not LOADS.search(r.html), (command, LOADS.search(r.html))
        assert "Content-Security-Policy" in r.html
        assert r.path.stat().st_size <= MAX_BYTES, command


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    b = Browser(CHROMIUM)
    try:
        yield b
    finally:
        b.close()


@needs_browser
def test_reports_load_in_a_browser_without_errors_or_requests(
    browser: Browser, ran: dict[tuple[str, str], Ran]
) -> None:
    for command in COMMANDS:
        page = browser.load(ran[command, "redirected"].path)
        assert page.loaded, command
        assert page.errors == [], (command, page.errors)
        assert page.other_requests == [], (command, page.other_requests)


# ------------------------------------------------------------------------ output paths


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("option", ["--html", "--json", "--write"])
def test_an_output_over_the_scenario_is_refused_before_anything_runs(
    tmp_path: Path, command: str, option: str
) -> None:
    desk, args = COMMANDS[command]
    path = tmp_path / "s.yaml"
    text = DESK if desk == "desk" else PEAKS
    path.write_text(text)
    result = CliRunner().invoke(app, [args[0], str(path), *args[1:], option, str(path)],
                                env=ENV)
    assert result.exit_code == 2, result.output
    assert "is an input of this command" in result.output
    assert path.read_text() == text


def test_an_infeasible_search_reports_the_closest_point_and_its_binding_target(
    tmp_path: Path,
) -> None:
    from desks import TINY

    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("replications: 10", "replications: 3"))
    page, js = tmp_path / "o.html", tmp_path / "o.json"
    result = CliRunner().invoke(
        app, ["optimize", str(path), "--vary", "pools.inhouse.agents=0:1", "--workers", "1",
              "--html", str(page), "--json", str(js)], env=ENV,
    )
    assert result.exit_code == 1, result.output
    doc, html = json.loads(js.read_text()), page.read_text()
    assert doc["status"] == "infeasible" and doc["closest"] is not None
    assert "No point of the range meets the targets; the closest" in html
    binding = doc["binding"]
    rows = html_rows(html)
    assert [binding["name"], binding["goal"], fmt_value(binding["figure"], binding["mean"]),
            fmt_value(binding["figure"], binding["bound"]), "missed"] in rows
    assert f"{binding['name']}: one-sided 95% bound against cost_total" in html
    assert "No simulated point meets the targets." in html
