"""Fuzzing the scenario loader: whatever the input, a located user error or a scenario.

Two generators: edits of the raw data of the example scenarios (values replaced by
hostile ones at random key paths: the "scenario models" side), and text mutations of the
example files (the YAML side). Loading must either give a Scenario (whose warnings can be
computed) or raise ScenarioError/SimdeskError whose every problem has a file and a
message; ``simdesk validate`` must never print a traceback. The quick versions run in the
default suite; ``-m slow`` runs many more examples.
"""

from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.errors import SimdeskError
from simdesk.loading import load_scenario, scenario_from_data
from simdesk.scenario import warnings_for
from simdesk.yamlload import load_yaml

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in SCENARIOS]
DATA = [load_yaml(p).data for p in SCENARIOS]

QUICK = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
LONG = settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- values a user (or an attacker) might put anywhere ---------------------------------

TEXT_VALUES = [
    "", " ", "0", "-1", "1e308", "-1e308", "nan", "inf", "80%", "100 %", "1/0", "0/h",
    "1e308/h", "1e-300/h", "-5/h", "200/h", "3m", "0s", "-3m", "1e308d", "nan s", "9" * 40 + "d",
    "08:00", "24:00", "25:61", "mon-fri", "sat,sun", "fri-mon", "all", "[/]", "[bold]x",
    "\x1b[31mred", "exponential(mean=3m)", "exponential(mean=0s)", "exponential(mean=-1m)",
    "lognormal(mean=3m, cv=1e308)", "lognormal(mean=3m, cv=0)", "gamma(mean=1e308d, cv=2)",
    "uniform(5m, 1m)", "uniform(0s, 0s)", "fixed(0s)", "fixed(1e308d)", "empirical()",
    "empirical(1m, -1m)", "poisson(mean=3m)", "exponential(mean=3m", "lognormal(mean=3m, cv=)",
    "always_human", "overflow_after", "default", "bot", "inhouse", "vendor", "chat",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TEXT_VALUES),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["name", "kind", "agents", "share", "x", "default"]),
                        inner, max_size=3),
    ),
    max_leaves=8,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in the data (to a mapping value or a list item)."""
    out: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.append((*prefix, index))
            out.extend(_paths(value, (*prefix, index)))
    return out


PATHS = [_paths(d) for d in DATA]


@st.composite
def edited_scenarios(draw: st.DrawFn) -> Any:
    """An example scenario's data with a few values replaced, removed or added."""
    which = draw(st.integers(0, len(DATA) - 1))
    data = copy.deepcopy(DATA[which])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS[which]))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(VALUES)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["agnets", "extra", "shifts", "agents", "fcr",
                                             "resolution", "max_time"]))] = draw(VALUES)
            else:
                parent.append(draw(VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    return data


# -- text mutations --------------------------------------------------------------------

SNIPPETS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object:os.system ",
    "<<: *a", "'", '"', "#", "%", "@", "`", "|", ">", "\t", "\n", "  ", "~", "? ", "---\n",
    "...\n", "80%", "1e308", ".inf", ".nan", "9" * 60, "\x00", "\ufeff", "é", "[/]",
]


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 5))):
        if not text:
            break
        kind = draw(st.sampled_from(["insert", "delete", "duplicate-line", "swap-lines"]))
        pos = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:pos] + draw(st.sampled_from(SNIPPETS)) + text[pos:]
        elif kind == "delete":
            end = min(len(text), pos + draw(st.integers(1, 20)))
            text = text[:pos] + text[end:]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text


# -- the properties --------------------------------------------------------------------


def check_loading(load: Any, file: str) -> None:
    try:
        scenario = load()
    except SimdeskError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == file, problem
            assert problem.message.strip(), problem
            assert "Traceback" not in problem.message
        return
    warnings_for(scenario)  # validate computes these too
    assert scenario.horizon > 0 and math.isfinite(scenario.horizon)


def check_data(data: Any) -> None:
    check_loading(lambda: scenario_from_data(data, "<fuzz>"), "<fuzz>")


def check_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        check_loading(lambda: load_scenario(path), str(path))
        result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code in (0, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output


@QUICK
@given(edited_scenarios())
def test_edited_scenario_data_gives_a_scenario_or_located_errors(data: Any) -> None:
    check_data(data)


@QUICK
@given(mutated_texts())
def test_mutated_scenario_files_give_a_scenario_or_located_errors(text: str) -> None:
    check_text(text)


@pytest.mark.slow
@LONG
@given(edited_scenarios())
def test_edited_scenario_data_long(data: Any) -> None:
    check_data(data)


@pytest.mark.slow
@LONG
@given(mutated_texts())
def test_mutated_scenario_files_long(text: str) -> None:
    check_text(text)
