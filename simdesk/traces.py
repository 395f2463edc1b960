"""Arrival traces: recorded arrivals in a CSV file, checked in one streaming pass.

``demand.trace`` replays a file's arrivals; ``demand.trace_profile`` turns it into rates
by hour of the week for fresh Poisson arrivals (docs/scenario-format.md, "Traces"). The
file is read lazily, a line at a time, both when it is checked (once, when the scenario
is loaded, so a bad row stops everything before anything runs and ``simdesk validate``
reports it) and when it is replayed, so a trace of ten million rows needs no more memory
than one of ten.

The format: a header row naming the columns ``timestamp`` and ``type`` (and optionally
``channel``; other columns are ignored), then one row per arrival in time order. A
timestamp is either an ISO date-time without a time zone (``2027-01-04T08:00:05``, or
with a space for the ``T``), placed on the run's calendar (which needs the scenario's
``start``), or a number of seconds from the start of the measured period (negative in the
warm-up). All rows of a file use the same kind of timestamp.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from simdesk.calendar import DAY, HOUR, Calendar
from simdesk.errors import Problem, ScenarioError
from simdesk.limits import MAX_TRACE_LINE, MAX_TRACE_PROBLEMS
from simdesk.scenario import CHANNELS
from simdesk.suggest import closest

if TYPE_CHECKING:
    from simdesk.scenario import Scenario

__all__ = [
    "TraceInfo",
    "attach_trace",
    "replay",
    "trace_info",
    "trace_warnings",
]

TIMESTAMP, TYPE, CHANNEL = "timestamp", "type", "channel"
COLUMNS = (TIMESTAMP, TYPE, CHANNEL)
Kind = Literal["datetime", "seconds"]
_DATETIME_EXPECTED = "expected an ISO date-time such as 2027-01-04T08:00:05 (no time zone)"
_SECONDS_EXPECTED = "expected seconds from the start of the measured period, such as 3600.5"


@dataclass(frozen=True)
class TraceInfo:
    """What one pass over a trace file found: enough to estimate the work, warn, shape
    Poisson arrivals (``trace_profile``) and replay it, without keeping any row."""

    path: str
    """The file, as opened (relative to the working directory if the scenario's was)."""
    key: str
    """``demand.trace`` or ``demand.trace_profile``."""
    kind: Kind
    rows: int
    in_run: int
    """Rows from time 0 to the end of the run: the arrivals a replay brings."""
    before: int
    after: int
    type_counts: tuple[int, ...]
    rates: tuple[float, ...]
    """Arrivals per second in each hour of the week (0 = Monday 00:00): the rows in that
    hour of the week over the days the trace covers that are that weekday."""
    days: int
    """Days the trace covers, from its first row's day to its last row's, both included."""
    weekdays: tuple[int, ...]
    """Of those, how many are Mondays, Tuesdays, ... (the rates' denominators)."""
    span: float
    """Seconds of the run (warm-up and horizon)."""
    first: float
    last: float
    """Simulated times of the first and last rows of a replayed trace (0 for a profile)."""
    warmup: float

    @property
    def replayed(self) -> bool:
        return self.key == "demand.trace"

    @property
    def mean_rate(self) -> float:
        """Fresh arrivals per second: a replay's rows in the run over the run, or a
        profile's mean rate over the week."""
        if self.replayed:
            return self.in_run / self.span if self.span > 0 else 0.0
        return math.fsum(self.rates) / 168

    @property
    def type_shares(self) -> tuple[float, ...]:
        total = sum(self.type_counts)
        if total == 0:
            return tuple(1.0 / len(self.type_counts) for _ in self.type_counts)
        return tuple(c / total for c in self.type_counts)

    @property
    def multipliers(self) -> tuple[float, ...]:
        """The rates by hour of the week relative to their mean (1 if all are 0)."""
        mean = math.fsum(self.rates) / 168
        if mean <= 0:
            return (1.0,) * 168
        return tuple(r / mean for r in self.rates)


class _Stop(Exception):
    """A problem after which the rest of the file means nothing (date-times that cannot
    be placed in the run)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Row(Exception):
    """One row's problem: its column and what was expected."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _lines(f: BinaryIO) -> Iterator[str]:
    """The file's lines as text, one at a time. Decoded line by line, so a byte that is
    not UTF-8 is reported at its own row; a line longer than MAX_TRACE_LINE is refused
    rather than read into memory (a file without line breaks)."""
    readline = f.readline
    first = True
    while True:
        raw = readline(MAX_TRACE_LINE)
        if not raw:
            return
        if len(raw) >= MAX_TRACE_LINE and not raw.endswith(b"\n"):
            raise _Row(None, f"a line longer than {MAX_TRACE_LINE:,} characters; is this a "
                       "CSV file of arrivals?")
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Row(None, "not UTF-8 text; is this a CSV file of arrivals?") from None


class _Reader:
    """Parses one trace file's rows for one scenario: (line, time, type index), where the
    time is simulated seconds, or for a profile's date-times the moment itself."""

    def __init__(self, s: Scenario, path: str, key: str) -> None:
        self.path = path
        self.key = key
        self.replayed = key == "demand.trace"
        self.types = {name: i for i, name in enumerate(s.type_names)}
        self.channels = [t.channel for t in s.demand.types]
        self.cal = Calendar.of(s)
        self.origin = self.cal.origin
        self.warmup = s.warmup
        self.kind: Kind | None = None
        self.kind_line = 0

    def problem(self, line: int | None, column: str | None, message: str) -> Problem:
        return Problem(message, self.path, line, column)

    def header(self, rows: Iterator[list[str]]) -> tuple[int, int, int | None, int]:
        """Column positions of timestamp, type and channel, and the header's width."""
        try:
            names = next(rows)
        except StopIteration:
            raise _Row(None, "the file is empty; expected a header row such as "
                       "'timestamp,type,channel', then one row per arrival") from None
        names = [n.strip().lower() for n in names]
        for name in names:
            if name not in COLUMNS and name:
                meant = closest(name, list(COLUMNS))
                if meant is not None and meant not in names:
                    raise _Row(name, f"unknown column; did you mean '{meant}'?")
        seen: set[str] = set()
        for name in names:
            if name in COLUMNS and name in seen:
                raise _Row(name, "the column appears twice in the header")
            seen.add(name)
        for needed in (TIMESTAMP, TYPE):
            if needed not in names:
                shown = ",".join(names) if any(names) else "(nothing)"
                raise _Row(
                    needed,
                    f"missing column; the header row must name the columns "
                    f"'timestamp' and 'type' (and optionally 'channel'); it has: {shown}",
                )
        channel = names.index(CHANNEL) if CHANNEL in names else None
        return names.index(TIMESTAMP), names.index(TYPE), channel, len(names)

    def moment(self, text: str, line: int) -> datetime | float:
        """The row's timestamp: a naive datetime, or seconds from the measured start."""
        kind = self.kind
        if kind is None:
            kind = "seconds" if _looks_numeric(text) else "datetime"
            self.kind = kind
            self.kind_line = line
        if kind == "seconds":
            try:
                x = float(text)
            except ValueError:
                raise _Row(
                    TIMESTAMP,
                    f"{_SECONDS_EXPECTED}, like row {self.kind_line}'s; got {text!r}",
                ) from None
            if not math.isfinite(x):
                raise _Row(TIMESTAMP, f"{_SECONDS_EXPECTED}; got {text!r}")
            return x
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            like = f", like row {self.kind_line}'s" if self.kind_line != line else ""
            raise _Row(TIMESTAMP, f"{_DATETIME_EXPECTED}{like}; got {text!r}") from None
        if dt.tzinfo is not None:
            raise _Row(
                TIMESTAMP,
                f"{_DATETIME_EXPECTED}: the desk's local time, without a zone or offset; "
                f"got {text!r}",
            )
        if len(text) <= 10:
            raise _Row(TIMESTAMP, f"{_DATETIME_EXPECTED}: a date and a time; got {text!r}")
        if self.replayed and self.origin is None:
            raise _Stop(
                self.problem(
                    line,
                    TIMESTAMP,
                    "a date-time needs the scenario's 'start' to place it in the run: give "
                    "'start' (the first measured day), or write seconds from the start of "
                    "the measured period",
                )
            )
        return dt

    def time_of(self, m: datetime | float) -> float:
        """Simulated seconds of a timestamp (a date-time needs the start date)."""
        if isinstance(m, datetime):
            assert self.origin is not None
            return (m - self.origin).total_seconds()
        return self.warmup + m

    def hour_and_day(self, m: datetime | float) -> tuple[int, int]:
        """Hour of the week and a day number (consecutive days differ by 1; day % 7 is the
        weekday) of a timestamp: a date-time's own, seconds' on the run's calendar."""
        if isinstance(m, datetime):
            return m.weekday() * 24 + m.hour, m.toordinal() - 1
        t = self.time_of(m)
        return self.cal.hour_of_week(t), math.floor((t + self.cal.offset) / DAY)

    def type_of(self, text: str, channel: str | None) -> int:
        tidx = self.types.get(text)
        if tidx is None:
            if not text:
                raise _Row(TYPE, "expected an inquiry type name (one of demand.types)")
            known = list(self.types)
            meant = closest(text, known)
            hint = (
                f"; did you mean '{meant}'?" if meant else f"; expected one of: {', '.join(known)}"
            )
            raise _Row(TYPE, f"unknown inquiry type {text!r}{hint}")
        if channel:
            ch = channel.lower()
            if ch not in CHANNELS:
                raise _Row(CHANNEL, f"expected one of {', '.join(CHANNELS)}; got {channel!r}")
            if ch != self.channels[tidx]:
                raise _Row(
                    CHANNEL,
                    f"inquiry type {text!r} is a {self.channels[tidx]} type in the scenario, "
                    f"this row says {ch}; a type has one channel (split it into one type "
                    "per channel)",
                )
        return tidx

    def rows(self) -> Iterator[tuple[int, datetime | float, int] | Problem]:
        """(line, timestamp, type index) of every row in file order, or a located Problem
        for a row that cannot be read (reading goes on after it, except after a problem
        that makes the rest meaningless: a bad header, a file that is not text)."""
        with open(self.path, "rb") as f:
            reader = csv.reader(_lines(f))
            try:
                it_ts, it_type, it_ch, width = self.header(reader)
            except _Row as bad:
                yield self.problem(1, bad.column, bad.message)
                return
            except csv.Error as exc:
                yield self.problem(1, None, _unreadable(exc))
                return
            need = max(it_ts, it_type, -1 if it_ch is None else it_ch)
            last: datetime | float | None = None
            last_line = 0
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield self.problem(line, None, _unreadable(exc))
                    return
                except _Row as bad:  # a line too long, or not text
                    yield self.problem(line, bad.column, bad.message)
                    return
                line = reader.line_num
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # a blank line
                try:
                    if len(cells) <= need:
                        missing = [
                            name
                            for name, i in ((TIMESTAMP, it_ts), (TYPE, it_type), (CHANNEL, it_ch))
                            if i is not None and i >= len(cells)
                        ]
                        raise _Row(
                            missing[0],
                            f"missing: the row has {len(cells)} of the header's {width} "
                            "columns",
                        )
                    text = cells[it_ts].strip()
                    m = self.moment(text, line)
                    if last is not None and m < last:  # type: ignore[operator]
                        raise _Row(
                            TIMESTAMP,
                            f"out of order: {text} is earlier than row {last_line}'s "
                            "timestamp; rows must be in time order",
                        )
                    channel = cells[it_ch].strip() if it_ch is not None else None
                    tidx = self.type_of(cells[it_type].strip(), channel)
                except _Row as bad:
                    yield self.problem(line, bad.column, bad.message)
                    continue
                except _Stop as stop:
                    yield stop.problem
                    return
                last, last_line = m, line
                yield line, m, tidx


def _unreadable(exc: Exception) -> str:
    return f"not a readable CSV row ({exc})"


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check(s: Scenario, path: str, key: str) -> TraceInfo:
    """One pass over the file: every row parsed and checked, counts kept; the problems
    found (at most MAX_TRACE_PROBLEMS) raised together."""
    reader = _Reader(s, path, key)
    end = s.warmup + s.horizon
    problems: list[Problem] = []
    rows = in_run = before = after = 0
    type_counts = [0] * len(s.type_names)
    hours = [0] * 168
    first_day: int | None = None
    last_day = 0
    first_t = last_t = 0.0
    for item in reader.rows():
        if isinstance(item, Problem):
            problems.append(item)
            if len(problems) >= MAX_TRACE_PROBLEMS:
                break
            continue
        if problems:
            continue  # only counting is left, and it is not needed any more
        _, m, tidx = item
        rows += 1
        type_counts[tidx] += 1
        how, day = reader.hour_and_day(m)
        hours[how] += 1
        if first_day is None:
            first_day = day
        last_day = day
        if reader.replayed:
            t = reader.time_of(m)
            if rows == 1:
                first_t = t
            last_t = t
            if t < 0:
                before += 1
            elif t >= end:
                after += 1
            else:
                in_run += 1
    if not problems and rows == 0:
        problems.append(reader.problem(None, None, "no arrivals: the file has no rows after "
                                       "its header"))
    if problems:
        raise ScenarioError(problems)
    assert first_day is not None and reader.kind is not None
    days = last_day - first_day + 1
    weekdays = [0] * 7
    full, rest = divmod(days, 7)
    for i in range(7):
        weekdays[(first_day + i) % 7] = full + (1 if i < rest else 0)
    rates = tuple(
        hours[h] / weekdays[h // 24] / HOUR if weekdays[h // 24] else 0.0 for h in range(168)
    )
    return TraceInfo(
        path=path,
        key=key,
        kind=reader.kind,
        rows=rows,
        in_run=in_run,
        before=before,
        after=after,
        type_counts=tuple(type_counts),
        rates=rates,
        days=days,
        weekdays=tuple(weekdays),
        span=end,
        first=first_t,
        last=last_t,
        warmup=s.warmup,
    )


# Traces checked in this process, by file identity and what their reading depends on: a
# sweep or a search loads its scenario once per point, and a long trace is read once.
_CACHE: dict[tuple[object, ...], TraceInfo] = {}
_CACHE_SIZE = 16


def trace_key(s: Scenario) -> tuple[str, str] | None:
    """(key path, file as written) of the scenario's trace, if it has one."""
    d = s.demand
    if d.trace is not None:
        return "demand.trace", d.trace
    if d.trace_profile is not None:
        return "demand.trace_profile", d.trace_profile
    return None


def attach_trace(s: Scenario, scenario_file: str | None = None, line: int | None = None) -> None:
    """Read and check the scenario's trace (relative to the scenario file's folder, or to
    the working directory without one) and keep what it found on the scenario. Every
    problem is raised as a ScenarioError: the file's own at ``scenario_file:line``, a
    row's at ``trace file:row: column``."""
    found = trace_key(s)
    if found is None:
        return
    key, written = found
    base = Path(scenario_file).parent if scenario_file else Path(".")
    path = str(Path(written) if os.path.isabs(written) else base / written)

    def fail(message: str) -> ScenarioError:
        return ScenarioError(Problem(message, scenario_file, line, key))

    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise fail(f"no such file: {path} (a path relative to the scenario file)") from None
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from None
    if not os.path.isfile(path):
        raise fail(f"{path} is not a file; expected a CSV file of arrivals")
    ident = (
        os.path.abspath(path), st.st_mtime_ns, st.st_size, key,
        tuple((t.name, t.channel) for t in s.demand.types), s.start, s.warmup, s.horizon,
    )
    info = _CACHE.get(ident)
    if info is None:
        try:
            info = _check(s, path, key)
        except OSError as exc:
            raise fail(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[ident] = info
    elif info.path != path:
        info = TraceInfo(**{**info.__dict__, "path": path})
    s.demand._trace = info


def trace_info(s: Scenario) -> TraceInfo:
    """What the scenario's trace holds, reading it now if the loader did not (a scenario
    built in code: the path is then relative to the working directory)."""
    if s.demand._trace is None:
        attach_trace(s)
    info = s.demand._trace
    assert isinstance(info, TraceInfo)
    return info


def replay(s: Scenario) -> Iterator[tuple[float, int]]:
    """(simulated time, type index) of each row of the scenario's trace that falls in the
    run, in order, read lazily. A row that cannot be read now (the file changed since it
    was checked) raises a located ScenarioError."""
    info = trace_info(s)
    reader = _Reader(s, info.path, info.key)
    end = s.warmup + s.horizon
    time_of = reader.time_of
    for item in reader.rows():
        if isinstance(item, Problem):
            raise ScenarioError(item)
        t = time_of(item[1])
        if t < 0.0:
            continue
        if t >= end:
            return
        yield t, item[2]


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days(seconds: float) -> str:
    return f"{seconds / DAY:.1f} days"


def trace_warnings(s: Scenario) -> list[str]:
    """What a trace leaves out that the user may not expect: a run with no rows in it, or
    a day or more of it without rows because the trace starts late or ends early; a
    profile's trace that misses weekdays (no arrivals then). Rows outside the run are
    not worth a warning: taking a window of a long trace is what a horizon does."""
    info = s.demand._trace
    if not isinstance(info, TraceInfo):
        return []
    out: list[str] = []
    if info.replayed:
        if info.in_run == 0:
            out.append(
                f"demand.trace: none of the trace's {info.rows:,} rows falls within the run "
                "(warm-up and horizon): nothing arrives; check 'start' against the "
                "trace's timestamps"
            )
        else:
            if info.first - info.warmup >= DAY:
                out.append(
                    f"demand.trace: the trace's first row comes {_days(info.first - info.warmup)} "
                    "after the start of the measured period: no fresh arrivals before it"
                )
            if info.span - info.last >= DAY:
                out.append(
                    f"demand.trace: the trace's last row comes {_days(info.span - info.last)} "
                    "before the end of the run: no fresh arrivals after it"
                )
    else:
        missing = [_DAY_NAMES[d] for d in range(7) if info.weekdays[d] == 0]
        if missing:
            out.append(
                f"demand.trace_profile: the trace covers {info.days} day(s), not a whole "
                f"week: no fresh arrivals on {', '.join(missing)}"
            )
    return out

