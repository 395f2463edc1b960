"""Output people can trust and share: intervals within what is possible, times as people
read them, tables whole at any width, tidy CSV, sweep figures of any section, compare
variants and details, and -h / flags in the help.

Table checks never hold a copy of the output: each figure's expected text is the JSON's
value formatted by the same function the tables use, and must appear as a whole cell in
the row of its figure (or pool, type, hour).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from desks import TINY
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.confidence import Estimate, bounded, estimate
from simdesk.experiment import Summary, run_experiment, summarize
from simdesk.figures import FIGURES, RunFigures, figure_range
from simdesk.loading import scenario_from_data
from simdesk.render import (
    INTERVAL_FIGURES,
    POOL_FIGURES,
    SHORT,
    TYPE_FIGURES,
    hourly_series,
    print_message,
    render_summary,
    spark,
    summary_figures,
)
from simdesk.render.formats import duration_text, fmt_estimate, fmt_value
from simdesk.report import summary_json
from simdesk.yamlload import load_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml"))
ENV = {"NO_COLOR": "1", "TERM": "dumb"}
BORDERS = "│┃"

# ------------------------------------------------------------------ reading tables


def table_rows(output: str) -> list[list[str]]:
    """Every table row of the output as its cells (stripped), borders removed."""
    rows = []
    for line in output.splitlines():
        s = line.strip()
        if not s or s[0] not in BORDERS:
            continue
        for b in BORDERS[1:]:
            s = s.replace(b, BORDERS[0])
        rows.append([c.strip() for c in s.strip(BORDERS[0]).split(BORDERS[0])])
    return rows


def cell_pairs(output: str) -> set[tuple[str, str]]:
    """(first cell, other cell) of every row: "this row shows this text, whole"."""
    return {(r[0], c) for r in table_rows(output) for c in r[1:]}


def est(doc: dict[str, Any], replications: int = 2) -> Estimate:
    ci = doc["ci95"]
    mean = math.nan if doc["mean"] is None else doc["mean"]
    return Estimate(mean, None if ci is None else (ci[0], ci[1]), replications)


def mean_of(doc: dict[str, Any]) -> float:
    return math.nan if doc["mean"] is None else float(doc["mean"])


def assert_fits(output: str, width: int | None) -> None:
    assert "…" not in output, "a cell was cut"
    if width is not None:
        widest = max(cell_len(line) for line in output.splitlines())
        assert widest <= width, f"a line is {widest} columns wide:\n{output}"


def assert_summary_whole(output: str, doc: dict[str, Any], summary: Summary) -> None:
    """Every figure the tables show, in the row of its figure / pool / type / hour."""
    pairs = cell_pairs(output)
    n = doc["replications"]
    for f in summary_figures(summary):
        label = f
        if f in ("service_level", "people_service_level"):  # labelled with the threshold
            label = next(a for a, _ in pairs if a.startswith(f"{f} ("))
        text = fmt_estimate(f, est(doc["totals"][f], n))
        assert (label, text) in pairs, (label, text)
    for scope, figures in (("pools", POOL_FIGURES), ("types", TYPE_FIGURES)):
        for name, figs in doc[scope].items():
            for f in figures:
                if f not in figs:
                    continue
                text = fmt_value(f, mean_of(figs[f]))
                shown = any(h == SHORT.get(f, f) for r in table_rows(output) for h in r)
                if shown:
                    assert (name, text) in pairs, (scope, name, f, text)
    for entry in doc["intervals"]:
        if not entry["offered"]["mean"]:
            continue
        for f in INTERVAL_FIGURES:
            assert (f"{entry['hour']:02d}:00", fmt_value(f, mean_of(entry[f]))) in pairs


# ------------------------------------------------------------- intervals and times


@pytest.mark.parametrize(
    ("figure", "values"),
    [
        ("wait_p90_s", [0.0, 0.0, 0.0, 0.0, 7.2]),  # a p90 of mostly zeros
        ("service_level", [1.0, 1.0, 0.97, 1.0, 1.0]),  # a service level near 100%
        ("abandonment_rate", [0.0, 0.0, 0.02]),
        ("csat_satisfied", [1.0, 0.99, 1.0]),
        ("csat_mean", [1.0, 1.0, 1.4]),
        ("cost_total", [0.0, 0.0, 30.0]),
    ],
)
def test_intervals_stay_within_what_is_possible(figure: str, values: list[float]) -> None:
    low, high = figure_range(figure)
    raw = estimate(values)
    assert raw.ci95 is not None
    assert raw.ci95[0] < low or raw.ci95[1] > high, "the example must reach past the range"
    runs = [RunFigures(totals={figure: v}, pools={}, types={}, intervals=[]) for v in values]
    no_targets = TINY.split("targets:")[0]
    s = summarize(scenario_from_data(load_yaml_text(no_targets), "tiny.yaml"), 1, runs)
    e = s.totals[figure]
    assert e.ci95 is not None
    assert low <= e.ci95[0] <= e.mean <= e.ci95[1] <= high
    assert e.mean == raw.mean
    doc = summary_json(s)["totals"][figure]
    assert low <= doc["ci95"][0] and doc["ci95"][1] <= high
    # the tables print a cut interval whole, never as a "± half-width" past the bound
    text = fmt_estimate(figure, e)
    assert "±" not in text and " to " in text


def test_bounded_keeps_intervals_inside_and_leaves_the_rest_alone() -> None:
    inside = Estimate(0.5, (0.4, 0.6), 3)
    assert bounded(inside, 0.0, 1.0) is inside
    cut = bounded(Estimate(0.99, (0.97, 1.01), 3, sd=0.008), 0.0, 1.0)
    assert cut.ci95 == (0.97, 1.0)
    assert (cut.sd, cut.n) == (0.008, 3)  # check's Welch test needs the measured spread
    assert bounded(Estimate(1.0, None, 1), 0.0, 1.0).ci95 is None


def test_every_figure_has_a_range_and_shares_are_within_0_and_1() -> None:
    for f in FIGURES:
        low, high = figure_range(f)
        assert low >= 0 and high > low
    for f in ("service_level", "abandonment_rate", "p_wait", "csat_satisfied", "occupancy"):
        assert figure_range(f) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (14.06, "14.1s"),
        (59.96, "1m 00s"),
        (245.0, "4m 05s"),
        (56_002.0, "15h 33m"),
        (3.4 * 86400, "3.4d"),
        (0.0, "0.0s"),
    ],
)
def test_long_times_read_as_people_read_them(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
    assert fmt_value("wait_mean_s", seconds) == text


def test_spark_draws_service_level_on_an_absolute_scale() -> None:
    assert spark([1.0, 0.5, math.nan, 0.0]) == "█▄· "


# ------------------------------------------------------- every example, any width


def load_yaml_text(text: str) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def examples(example_summaries: dict[str, Summary]) -> dict[str, Summary]:
    return example_summaries


@pytest.mark.parametrize("width", [80, None], ids=["80-columns", "redirected"])
@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_every_example_is_whole_at_80_columns_and_redirected(
    examples: dict[str, Summary], name: str, width: int | None
) -> None:
    summary = examples[name]
    buf = io.StringIO()
    console = Console(file=buf, width=width or 1_000_000, color_system=None)
    render_summary(summary, console)
    out = buf.getvalue()
    assert_fits(out, width)
    assert_summary_whole(out, json.loads(json.dumps(summary_json(summary))), summary)


# ------------------------------------------------------------------- the commands


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("replications: 10", "replications: 3"), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


WIDTHS = [["--width", "80"], []]
WIDTH_IDS = ["80-columns", "redirected"]


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_run_command_is_whole(tiny: Path, tmp_path: Path, width: list[str]) -> None:
    out_json = tmp_path / "r.json"
    code, out = invoke("run", str(tiny), "--workers", "1", "--json", str(out_json), *width)
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    doc = json.loads(out_json.read_text())
    summary = run_experiment(scenario_from_data(load_yaml(tiny).data, str(tiny)))
    assert_summary_whole(out, doc, summary)
    if not width:
        # redirected: one table per section, as wide as it needs
        assert "(continued)" not in out


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_compare_command_is_whole(tiny: Path, tmp_path: Path, width: list[str]) -> None:
    out_json = tmp_path / "c.json"
    code, out = invoke(
        "compare", str(tiny), "--set", "pools.inhouse.agents=2,5", "--workers", "1",
        "--json", str(out_json), "--detail", *width,
    )
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    doc = json.loads(out_json.read_text())
    pairs = cell_pairs(out)
    n = doc["replications"]
    for sc in doc["scenarios"]:
        for f in ("offered", "abandonment_rate", "wait_mean_s", "service_level"):
            assert (f, fmt_estimate(f, est(sc["totals"][f], n))) in pairs, (sc["label"], f)
    from simdesk.render.experiments import fmt_diff

    for d in doc["differences"]:
        for f in ("abandonment_rate", "wait_mean_s", "service_level"):
            assert (f, fmt_diff(f, est(d["totals"][f], n))) in pairs, (d["label"], f)
        # --detail: each pool's difference too
        e = d["pools"]["inhouse"]["service_level"]
        assert ("service_level", fmt_diff("service_level", est(e, n))) in pairs


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_sweep_command_is_whole(tiny: Path, tmp_path: Path, width: list[str]) -> None:
    out_json = tmp_path / "s.json"
    code, out = invoke(
        "sweep", str(tiny), "--set", "pools.inhouse.agents=1:4:1", "--workers", "1",
        "--json", str(out_json), *width,
    )
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    doc = json.loads(out_json.read_text())
    n = doc["replications"]
    text = out
    for p in doc["points"]:
        agents = str(p["parameters"]["pools.inhouse.agents"])
        rows = [r for r in table_rows(text) if r[0] == agents]
        assert rows, agents
        for f in ("abandonment_rate", "asa_s", "service_level"):
            mean_line, _, band = fmt_estimate(f, est(p["totals"][f], n), sep="\n").partition(
                "\n"
            )
            assert any(mean_line in r for r in rows), (agents, f, mean_line)
            assert band in text


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_check_command_is_whole(tiny: Path, tmp_path: Path, width: list[str]) -> None:
    base = tmp_path / "tiny.json"
    code, out = invoke("check", str(tiny), "-b", str(base), "--update", "--workers", "1")
    assert code == 0, out
    code, out = invoke("check", str(tiny), "-b", str(base), "--workers", "1", *width)
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    doc = json.loads(base.read_text())
    pairs = cell_pairs(out)
    for f in ("offered", "abandonment_rate", "wait_mean_s", "service_level"):
        assert (f, fmt_estimate(f, est(doc["totals"][f], doc["replications"]))) in pairs, f


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_erlang_command_is_whole(width: list[str]) -> None:
    from simdesk.erlang import erlang_a

    code, out = invoke(
        "erlang", "--rate", "200/h", "--handle", "3m", "--patience", "2m", "--agents", "11",
        *width,
    )
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    exact = erlang_a(11, 200 / 3600, 180, 120, 20)
    pairs = cell_pairs(out)
    for f in ("p_wait", "wait_mean_s", "asa_s", "abandonment_rate", "service_level",
              "occupancy"):
        assert ("11", fmt_value(f, getattr(exact, f))) in pairs, f


def test_a_long_name_folds_rather_than_being_cut(tmp_path: Path) -> None:
    long = "a-pool-with-a-name-far-longer-than-any-screen-is-wide-" * 2
    path = tmp_path / "long.yaml"
    text = TINY.replace("name: inhouse", f"name: {long}").replace("bot, inhouse", f"bot, {long}")
    path.write_text(text.replace("replications: 10", "replications: 2"))
    code, out = invoke("run", str(path), "--workers", "1", "--width", "80", "--no-intraday")
    assert code == 0, out
    assert_fits(out, 80)
    # folded over several lines of its cell, in order: the first cells, joined, hold it
    assert long in "".join(r[0] for r in table_rows(out))


# ------------------------------------------------------------------------- CSV


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_run_csv_is_one_tidy_row_per_figure_with_the_json_values(
    tiny: Path, tmp_path: Path
) -> None:
    out_csv, out_json = tmp_path / "r.csv", tmp_path / "r.json"
    code, out = invoke("run", str(tiny), "--workers", "1", "--csv", str(out_csv),
                       "--json", str(out_json))
    assert code == 0, out
    rows = read_csv(out_csv)
    doc = json.loads(out_json.read_text())
    expected = len(doc["totals"]) + sum(len(v) for v in doc["pools"].values())
    expected += sum(len(v) for v in doc["types"].values())
    expected += sum(len(e) - 1 for e in doc["intervals"])
    expected += sum(len(e) - 1 for hours in doc["pool_intervals"].values() for e in hours)
    expected += sum(len(e) - 3 for kind in doc["periods"].values() for e in kind)
    assert len(rows) == expected
    for r in rows:
        if r["section"] == "totals":
            src = doc["totals"][r["figure"]]
        elif r["section"] == "intervals":
            src = doc["intervals"][int(r["name"][:2])][r["figure"]]
        elif r["section"] == "pool_intervals":
            pool, hour = r["name"].rsplit(" ", 1)
            src = doc["pool_intervals"][pool][int(hour[:2])][r["figure"]]
        elif r["section"] in doc["periods"]:  # no start date: periods by number
            src = doc["periods"][r["section"]][int(r["name"]) - 1][r["figure"]]
        else:
            src = doc[r["section"]][r["name"]][r["figure"]]
        assert r["scenario"] == "tiny" and r["versus"] == ""
        assert (float(r["mean"]) if r["mean"] else None) == src["mean"]
        ci = src["ci95"]
        assert (float(r["low"]) if r["low"] else None) == (ci[0] if ci else None)
        assert (float(r["high"]) if r["high"] else None) == (ci[1] if ci else None)


def test_compare_csv_has_each_scenario_and_the_paired_differences(
    tiny: Path, tmp_path: Path
) -> None:
    out_csv, out_json = tmp_path / "c.csv", tmp_path / "c.json"
    code, out = invoke("compare", str(tiny), "--set", "pools.inhouse.agents=2", "--workers",
                       "1", "--csv", str(out_csv), "--json", str(out_json))
    assert code == 0, out
    doc = json.loads(out_json.read_text())
    rows = read_csv(out_csv)
    labels = {r["scenario"] for r in rows}
    assert labels == {"tiny", "pools.inhouse.agents=2"}
    diffs = [r for r in rows if r["versus"]]
    assert diffs and all(r["versus"] == "tiny" for r in diffs)
    d = doc["differences"][0]
    got = {(r["section"], r["name"], r["figure"]): r for r in diffs}
    for f, e in d["totals"].items():
        assert (float(got[("totals", "", f)]["mean"]) if e["mean"] is not None else None) == (
            e["mean"]
        )
    e = d["pools"]["inhouse"]["service_level"]
    assert float(got[("pools", "inhouse", "service_level")]["mean"]) == e["mean"]


def test_sweep_figure_of_any_section_in_table_and_csv(tiny: Path, tmp_path: Path) -> None:
    out_csv, out_json = tmp_path / "s.csv", tmp_path / "s.json"
    key = "pools.inhouse.service_level"
    code, out = invoke("sweep", str(tiny), "--set", "pools.inhouse.agents=2,4", "--workers",
                       "1", "--figure", key, "--figure", "types.general.wait_p90_s",
                       "--csv", str(out_csv), "--json", str(out_json))
    assert code == 0, out
    assert key in out and "types.general.wait_p90_s" in out
    doc = json.loads(out_json.read_text())
    rows = read_csv(out_csv)
    for r, p in zip(rows, doc["points"], strict=True):
        e = p["pools"]["inhouse"]["service_level"]
        assert float(r[f"{key}_mean"]) == e["mean"]
        assert float(r[f"{key}_ci_low"]) == e["ci95"][0]
        mean_text = fmt_value("service_level", e["mean"])
        assert any(mean_text in c for row in table_rows(out) for c in row)


def test_sweep_figure_typos_fail_before_running(tiny: Path) -> None:
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--set", "pools.inhouse.agents=2,4", "--figure",
              "pools.inhose.service_level"], env=ENV,
    )
    assert result.exit_code == 2
    assert "inhose" in result.stderr and "inhouse" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------- compare


def test_compare_set_variants_of_one_file(tiny: Path, tmp_path: Path) -> None:
    out_json = tmp_path / "c.json"
    code, out = invoke("compare", str(tiny), "--set", "pools.inhouse.agents=1,6",
                       "--workers", "1", "--json", str(out_json))
    assert code == 0, out
    doc = json.loads(out_json.read_text())
    assert [s["label"] for s in doc["scenarios"]] == [
        "tiny", "pools.inhouse.agents=1", "pools.inhouse.agents=6"
    ]
    # fewer agents wait longer, more agents less: the variants really differ
    d1, d6 = (d["totals"]["wait_mean_s"]["mean"] for d in doc["differences"])
    assert d1 > 0 > d6
    # the same customers (common random numbers): offered is identical
    assert {s["totals"]["offered"]["mean"] for s in doc["scenarios"]} == {
        doc["scenarios"][0]["totals"]["offered"]["mean"]
    }


def test_compare_set_needs_exactly_one_file(tiny: Path) -> None:
    result = CliRunner().invoke(
        app, ["compare", str(tiny), str(tiny), "--set", "pools.inhouse.agents=2"], env=ENV
    )
    assert result.exit_code == 2
    assert "exactly one" in result.stderr


def test_compare_detail_shows_each_pool_and_type(tiny: Path) -> None:
    code, plain_out = invoke("compare", str(tiny), "--set", "pools.inhouse.agents=2",
                             "--workers", "1")
    assert code == 0
    code, out = invoke("compare", str(tiny), "--set", "pools.inhouse.agents=2",
                       "--workers", "1", "--detail")
    assert code == 0
    for title in ("Pool bot", "Pool inhouse", "Inquiry type general"):
        assert title in out and title not in plain_out


# ------------------------------------------------------------------------- help


COMMANDS = ["run", "compare", "sweep", "check", "validate", "schema", "erlang", "optimize"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_short_help_and_flags_show_no_bool(command: str) -> None:
    short = CliRunner().invoke(app, [command, "-h"], env={"COLUMNS": "200"})
    long = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert short.exit_code == 0 and long.exit_code == 0
    assert short.stdout == long.stdout
    assert "Usage:" in short.stdout
    assert "<bool>" not in short.stdout


def test_top_level_help_has_h_and_no_bool() -> None:
    result = CliRunner().invoke(app, ["-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "<bool>" not in result.stdout
    assert "run" in result.stdout


@pytest.mark.parametrize("width", WIDTHS, ids=WIDTH_IDS)
def test_optimize_command_is_whole(tiny: Path, tmp_path: Path, width: list[str]) -> None:
    out_json = tmp_path / "o.json"
    code, out = invoke("optimize", str(tiny), "--vary", "pools.inhouse.agents=1:8",
                       "--workers", "1", "--json", str(out_json), *width)
    assert code == 0, out
    assert_fits(out, 80 if width else None)
    doc = json.loads(out_json.read_text())
    pairs = cell_pairs(out)
    n = doc["replications"]
    for f in ("service_level", "abandonment_rate", "asa_s", "occupancy", "csat_mean"):
        assert (f, fmt_estimate(f, est(doc["answer"]["totals"][f], n))) in pairs, f
    agents = str(doc["answer"]["parameters"]["pools.inhouse.agents"])
    assert ("pools.inhouse.agents", agents) in pairs


def test_the_sparkline_has_a_row_per_pool_that_follows_its_own_hours(
    examples: dict[str, Summary],
) -> None:
    """Issue 11, "In the terminal": per pool, service level by hour as a sparkline row, so a
    reader sees which pool fails at which hour, not only the desk's blend."""
    s = examples["ai_first"]
    series = hourly_series(s)
    pools_with_contacts = [
        name for name, hours in s.pool_hours.items() if any(h["offered"].mean for h in hours)
    ]
    assert list(series) == ["desk", *pools_with_contacts] and len(pools_with_contacts) >= 2
    for name in pools_with_contacts:
        assert spark([h["service_level"].mean for h in series[name]]) == spark(
            [h["service_level"].mean for h in s.pool_hours[name]]
        )
    buf = io.StringIO()
    render_summary(s, Console(file=buf, width=80, color_system=None))
    rows = {r[0]: r[1] for r in table_rows(buf.getvalue()) if len(r) == 2}
    for name in pools_with_contacts:
        assert rows[name] == spark([h["service_level"].mean for h in s.pool_hours[name]])


def test_a_long_warning_wraps_at_words_within_the_width_and_stays_one_line_unbounded() -> None:
    """A warning on an 80-column terminal is wrapped between words (a terminal left to do
    it cuts names in half); on a file (an unbounded console) it stays one greppable line."""
    text = "pool 'a_pool_with_a_rather_long_name' is in no route: it answers no contact " * 3
    narrow = Console(file=io.StringIO(), width=40, color_system=None)
    print_message(narrow, "warning", text)
    lines = narrow.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) > 3
    assert all(cell_len(line) <= 40 for line in lines)
    words = " ".join(lines).split()
    assert words == f"warning: {text}".split()
    wide = Console(file=io.StringIO(), width=100_000, color_system=None)
    print_message(wide, "warning", text)
    assert wide.file.getvalue().rstrip() == f"warning: {text}".rstrip()  # type: ignore[attr-defined]
