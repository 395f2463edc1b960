"""Scenario YAML loading: the user must be told file, line and key path of every problem."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from simdesk.errors import Problem, ScenarioError
from simdesk.yamlload import (
    LocatedDocument,
    format_key_path,
    format_location,
    load_yaml,
    problems_from_validation_error,
    validate,
)

Share = Annotated[float, Field(ge=0, le=1)]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    handle_time: int

    @field_validator("handle_time")
    @classmethod
    def _positive(cls, v: int, info: ValidationInfo) -> int:
        limit = (info.context or {}).get("max_handle_time")
        if v <= 0:
            raise ValueError("handle_time must be positive")
        if limit is not None and v > limit:
            raise ValueError(f"handle_time must be at most {limit}")
        return v


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str
    end: str = "17:00"


class Desk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    agents: int
    pools: list[Item]
    schedule: Schedule | None = None
    resolution: Share | dict[str, Share] = 0.0
    tag: int | str = 0


DESK = """\
title: demo
agents: 4
schedule:
  start: 08:00
  end: 8:30
pools:
  - name: bot
    handle_time: 30
  - name: people
    handle_time: 240
  - handle_time: 60
"""


def write(tmp_path: Path, text: str, name: str = "desk.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(exc: pytest.ExceptionInfo[ScenarioError]) -> list[Problem]:
    return exc.value.problems


def only_problem(exc: pytest.ExceptionInfo[ScenarioError]) -> Problem:
    problems = problems_of(exc)
    assert len(problems) == 1, problems
    return problems[0]


def load_invalid(tmp_path: Path, text: str, context: dict[str, Any] | None = None) -> list[Problem]:
    doc = load_yaml(write(tmp_path, text))
    with pytest.raises(ScenarioError) as exc:
        validate(Desk, doc, context)
    return problems_of(exc)


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------


def test_data_is_plain_and_file_is_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, DESK)
    doc = load_yaml(str(path))
    assert doc.file == str(path)
    assert doc.data["pools"][1] == {"name": "people", "handle_time": 240}
    assert type(doc.data) is dict
    assert load_yaml(path).file == os.fspath(path)


def test_line_of_nested_keys_and_list_items(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, DESK))
    assert doc.line_of(()) == 1
    assert doc.line_of(("agents",)) == 2
    assert doc.line_of(("schedule",)) == 3
    assert doc.line_of(("schedule", "end")) == 5
    assert doc.line_of(("pools",)) == 6
    assert doc.line_of(("pools", 0)) == 7
    assert doc.line_of(("pools", 1)) == 9
    assert doc.line_of(("pools", 1, "handle_time")) == 10
    assert doc.line_of(("pools", 2, "handle_time")) == 11


def test_line_of_missing_path_falls_back_to_nearest_ancestor(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, DESK))
    assert doc.line_of(("schedule", "lunch")) == 3
    assert doc.line_of(("pools", 7, "handle_time")) == 6
    assert doc.line_of(("pools", 1, "speed")) == 9
    assert doc.line_of(("nowhere", "agents")) == 1
    assert doc.line_of(("agents", "deeper")) == 2


def test_line_of_flow_style_and_merge_keys(tmp_path: Path) -> None:
    doc = load_yaml(
        write(
            tmp_path,
            """\
            base: &base {start: 09:00, end: 17:00}
            late:
              <<: *base
              end: 21:00
            pools: [{name: a, handle_time: 1},
                    {name: b, handle_time: 2}]
            """,
        )
    )
    assert doc.data["late"] == {"start": "09:00", "end": "21:00"}
    assert doc.line_of(("late", "end")) == 4
    assert doc.line_of(("late", "start")) == 1  # merged in from the anchor
    assert doc.line_of(("pools", 1, "handle_time")) == 6


def test_scalars_keep_yaml_1_2_meaning(tmp_path: Path) -> None:
    doc = load_yaml(
        write(
            tmp_path,
            """\
            times: [08:00, 8:00, 17:30, 1:30:00]
            days: [mon, on, off, yes, no, y, n]
            units: [90s, 4m, 200/h, 1.5h]
            flags: [true, false, True]
            numbers: [7, -3, 010, 1_000, 0x1f, 2.5, 1e3, .5]
            empty:
            date: 2024-03-01
            equals: =
            """,
        )
    )
    assert doc.data["times"] == ["08:00", "8:00", "17:30", "1:30:00"]
    assert doc.data["days"] == ["mon", "on", "off", "yes", "no", "y", "n"]
    assert doc.data["units"] == ["90s", "4m", "200/h", "1.5h"]
    assert doc.data["flags"] == [True, False, True]
    assert doc.data["numbers"] == [7, -3, 10, 1000, 31, 2.5, 1000.0, 0.5]
    assert doc.data["empty"] is None
    assert doc.data["date"] == "2024-03-01"
    assert doc.data["equals"] == "="
    assert [type(n) for n in doc.data["numbers"][:5]] == [int] * 5


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "title: a\nagents: 1\n\nagents: 2\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert problem == Problem("duplicate key 'agents' (first at line 2)", str(path), 4, "agents")


def test_duplicate_nested_key_names_the_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        pools:
          - name: bot
            handle_time: 1
            handle_time: 2
        """,
    )
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    assert str(only_problem(exc)) == (
        f"{path}:4: pools[bot].handle_time: duplicate key 'handle_time' (first at line 3)"
    )


def test_merge_override_is_not_a_duplicate(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, "a: &a {x: 1}\nb:\n  <<: *a\n  x: 2\n"))
    assert doc.data["b"] == {"x": 2}


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "title: demo\nagents: 4\nschedule: start: 08:00\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert problem.line == 3
    assert problem.file == str(path)
    assert problem.message == "could not parse YAML: mapping values are not allowed here"


def test_bad_indentation_points_at_offending_line(tmp_path: Path) -> None:
    path = write(tmp_path, "schedule:\n  start: 08:00\n end: 17:00\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert problem.line == 3
    assert problem.message.startswith("could not parse YAML: ")


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "pools:\n\t- a\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert problem.line == 2
    assert "tabs" in problem.message


def test_unknown_tag_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(write(tmp_path, "title: x\nagents: !python/int 3\n"))
    problem = only_problem(exc)
    assert problem.line == 2
    assert "could not determine a constructor" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    assert only_problem(exc) == Problem("file not found", path, None, None)
    assert str(exc.value) == f"{path}: file not found"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(tmp_path)
    problem = only_problem(exc)
    assert problem.file == str(tmp_path)
    assert "directory" in problem.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "title: x\n")
    path.chmod(0)
    try:
        with pytest.raises(ScenarioError) as exc:
            load_yaml(path)
    finally:
        path.chmod(0o644)
    assert "cannot read" in only_problem(exc).message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: ok\nname: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert (problem.line, problem.message) == (2, "file is not valid UTF-8 text")


def test_control_character(tmp_path: Path) -> None:
    path = tmp_path / "ctl.yaml"
    path.write_text("title: ok\nname: a\x01b\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    problem = only_problem(exc)
    assert problem.line == 2
    assert problem.message.startswith("could not parse YAML: unacceptable character #x0001")


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: ok\n")
    assert load_yaml(path).data == {"title": "ok"}


@pytest.mark.parametrize("text", ["", "\n", "# just a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(write(tmp_path, text))
    assert only_problem(exc).message == (
        "the file is empty (or only comments); expected a mapping of scenario keys at the top level"
    )


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_top_level_not_a_mapping(tmp_path: Path, text: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(write(tmp_path, text))
    problem = only_problem(exc)
    assert problem.message == "expected a mapping of scenario keys at the top level"
    assert problem.line == 1


def test_several_documents(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_yaml(write(tmp_path, "title: a\n---\ntitle: b\n"))
    problem = only_problem(exc)
    assert problem.line == 2
    assert "single document" in problem.message


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------


def test_valid_document(tmp_path: Path) -> None:
    desk = validate(Desk, load_yaml(write(tmp_path, DESK)))
    assert desk.schedule == Schedule(start="08:00", end="8:30")
    assert [p.name for p in desk.pools] == ["bot", "people", None]


def test_validation_context_is_passed(tmp_path: Path) -> None:
    (problem,) = load_invalid(tmp_path, DESK, context={"max_handle_time": 100})
    assert (problem.line, problem.key) == (10, "pools[people].handle_time")
    assert problem.message == "handle_time must be at most 100"


def test_unknown_key_suggests_the_close_key(tmp_path: Path) -> None:
    (problem,) = load_invalid(tmp_path, DESK.replace("agents: 4\n", "agents: 4\nagnets: 5\n"))
    assert (problem.line, problem.key) == (3, "agnets")
    assert problem.message == "unknown key; did you mean 'agents'?"


def test_unknown_key_far_from_any_lists_allowed_keys(tmp_path: Path) -> None:
    (problem,) = load_invalid(tmp_path, DESK.replace("agents: 4\n", "agents: 4\ncolour: 5\n"))
    assert (problem.line, problem.key) == (3, "colour")
    assert problem.message == (
        "unknown key; expected one of: title, agents, pools, schedule, resolution, tag"
    )


def test_unknown_key_in_nested_and_optional_models(tmp_path: Path) -> None:
    text = DESK.replace("  end: 8:30\n", "  end: 8:30\n  lunch: 12:00\n").replace(
        "    handle_time: 30\n", "    handle_time: 30\n    speed: 2\n"
    )
    problems = load_invalid(tmp_path, text)
    assert [(p.line, p.key, p.message) for p in problems] == [
        (6, "schedule.lunch", "unknown key; expected one of: start, end"),
        (10, "pools[bot].speed", "unknown key; expected one of: name, handle_time"),
    ]


def test_list_items_are_named_when_they_have_a_name(tmp_path: Path) -> None:
    text = DESK.replace("handle_time: 240", "handle_time: -5").replace(
        "handle_time: 60", "handle_time: 0"
    )
    problems = load_invalid(tmp_path, text)
    assert [(p.line, p.key, p.message) for p in problems] == [
        (10, "pools[people].handle_time", "handle_time must be positive"),
        (11, "pools[2].handle_time", "handle_time must be positive"),
    ]


def test_message_format(tmp_path: Path) -> None:
    path = write(tmp_path, DESK.replace("handle_time: 240", "handle_time: abc"))
    with pytest.raises(ScenarioError) as exc:
        validate(Desk, load_yaml(path))
    assert [str(p) for p in problems_of(exc)] == [
        f"{path}:10: pools[people].handle_time: expected a whole number, got 'abc'"
    ]
    assert str(exc.value) == str(problems_of(exc)[0])


def test_missing_required_key_points_at_parent(tmp_path: Path) -> None:
    problems = load_invalid(
        tmp_path, DESK.replace("  start: 08:00\n", "").replace("title: demo\n", "")
    )
    assert [(p.line, p.key, p.message) for p in problems] == [
        (1, "title", "required key is missing"),
        (2, "schedule.start", "required key is missing"),
    ]


def test_type_errors_use_plain_words(tmp_path: Path) -> None:
    text = DESK.replace("agents: 4", "agents: 2.5").replace("title: demo", "title: 12")
    problems = load_invalid(tmp_path, text.replace("pools:\n", "pools: {}\nx:\n"))
    messages = {p.key: p.message for p in problems}
    assert messages["title"] == "expected a string, got 12 (put it in quotes to keep it as text)"
    assert messages["agents"] == "expected a whole number, got 2.5"
    assert messages["pools"] == "expected a list, got a mapping"


def test_union_reports_the_likely_branch_only(tmp_path: Path) -> None:
    # A number too large: the dict branch's "expected a mapping" would only confuse.
    (problem,) = load_invalid(tmp_path, DESK + "resolution: 1.5\n")
    assert (problem.key, problem.message) == (
        "resolution",
        "expected a value of at most 1.0, got 1.5",
    )
    # A mapping with a bad entry: the dict branch got further, so it wins.
    (problem,) = load_invalid(tmp_path, DESK + "resolution:\n  billing: 0.5\n  tech: 2\n")
    assert (problem.line, problem.key) == (14, "resolution.tech")
    assert problem.message == "expected a value of at most 1.0, got 2"
    # Neither branch fits the shape at all: one merged message.
    (problem,) = load_invalid(tmp_path, DESK + "tag: [1, 2]\n")
    assert (problem.line, problem.key) == (12, "tag")
    assert problem.message == "expected a whole number or a string, got a list"


def test_problems_are_sorted_by_line(tmp_path: Path) -> None:
    text = "pools:\n  - handle_time: x\ntitle: [1]\nagents: many\n"
    problems = load_invalid(tmp_path, text)
    assert [p.line for p in problems] == [2, 3, 4]


def test_problems_from_validation_error_without_model(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, DESK + "extra: 1\n"))
    with pytest.raises(ValidationError) as exc:
        Desk.model_validate(doc.data)
    (problem,) = problems_from_validation_error(exc.value, doc)
    assert (problem.line, problem.key, problem.message) == (12, "extra", "unknown key")


def test_hand_built_document_has_no_lines() -> None:
    doc = LocatedDocument({"title": "x", "agents": "many", "pools": []}, file="<sweep>")
    assert doc.line_of(("agents",)) is None
    with pytest.raises(ScenarioError) as exc:
        validate(Desk, doc)
    assert str(only_problem(exc)) == "<sweep>: agents: expected a whole number, got 'many'"


def test_format_helpers() -> None:
    data = {"pools": [{"name": "bot", "handle_time": 1}, {"handle_time": 2}]}
    assert format_key_path(("pools", 0, "handle_time"), data) == "pools[bot].handle_time"
    assert format_key_path(("pools", 1, "handle_time"), data) == "pools[1].handle_time"
    assert format_key_path(("pools", 1, "speed"), data) == "pools[1].speed"
    assert format_key_path(("pools", "str", 0), data) == "pools[bot]"
    assert format_location("a.yaml", 3, "pools[bot]") == "a.yaml:3: pools[bot]"
    assert format_location("a.yaml", None, None) == "a.yaml"
    assert format_location(None, None, "x") == "x"
