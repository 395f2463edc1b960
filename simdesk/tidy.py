"""Results as one tidy CSV, for spreadsheets: a row per scenario, section, name and figure.

Columns: ``scenario, versus, section, name, figure, mean, low, high``. ``section`` is
``totals`` (name empty), ``pools``, ``types``, ``intervals`` (name the hour, ``00:00``),
``pool_intervals`` (name the pool and the hour, ``vendor 08:00``), ``day``, ``week`` or
``month`` (name the period's first date, or its number without a start date), and for
pools with ``workforce`` ``pool_day``, ``pool_week`` or ``pool_month`` (name the pool
and the period, ``inhouse 2027-04-01``);
``low`` and ``high`` are the 95% interval (empty with one replication). A comparison adds
the paired differences of each later scenario from the first as rows whose ``versus``
names the first scenario (empty on plain values). Every figure of the Summary is written,
whatever it holds, so figures added later appear without changes here. Numbers are
rounded like the JSON (12 significant digits), so a CSV reads back to the same values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from simdesk.experiment import Scope, Summary
from simdesk.report import number

if TYPE_CHECKING:
    from simdesk.compare import Comparison

__all__ = ["HEADER", "compare_csv", "summary_csv"]

HEADER = ["scenario", "versus", "section", "name", "figure", "mean", "low", "high"]

Row = list[str]


def _num(x: float | None) -> str:
    n = number(x)
    return "" if n is None else repr(n)


def _scope_rows(label: str, versus: str, section: str, name: str, scope: Scope) -> Iterator[Row]:
    for figure, e in scope.items():
        lo, hi = e.ci95 if e.ci95 is not None else (None, None)
        yield [label, versus, section, name, figure, _num(e.mean), _num(lo), _num(hi)]


def _summary_rows(label: str, s: Summary) -> Iterator[Row]:
    yield from _scope_rows(label, "", "totals", "", s.totals)
    for section in ("pools", "types"):
        for name, scope in getattr(s, section).items():
            yield from _scope_rows(label, "", section, name, scope)
    for h, scope in enumerate(s.intervals):
        yield from _scope_rows(label, "", "intervals", f"{h:02d}:00", scope)
    for pool, hours in s.pool_hours.items():
        for h, scope in enumerate(hours):
            yield from _scope_rows(label, "", "pool_intervals", f"{pool} {h:02d}:00", scope)
    for kind, periods in s.periods.items():
        for p in periods:
            start = p.period.start
            name = str(p.period.index) if start is None else start.isoformat()
            yield from _scope_rows(label, "", kind, name, p.figures)
    for kind, periods in s.periods.items():
        for p in periods:
            start = p.period.start
            when = str(p.period.index) if start is None else start.isoformat()
            for pool, scope in p.pools.items():
                yield from _scope_rows(label, "", f"pool_{kind}", f"{pool} {when}", scope)


def _write(rows: Iterator[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


def summary_csv(s: Summary) -> str:
    """``simdesk run --csv``: every figure of every section."""
    return _write(_summary_rows(s.scenario.name, s))


def compare_csv(c: Comparison) -> str:
    """``simdesk compare --csv``: each scenario's figures, then the paired differences."""

    def rows() -> Iterator[Row]:
        for label, s in zip(c.labels, c.summaries, strict=True):
            yield from _summary_rows(label, s)
        for k, (label, diff) in enumerate(zip(c.labels[1:], c.differences, strict=True)):
            yield from _scope_rows(label, c.baseline, "totals", "", diff)
            if k < len(c.detail):
                for section, scopes in c.detail[k].items():
                    for name, scope in scopes.items():
                        yield from _scope_rows(label, c.baseline, section, name, scope)

    return _write(rows())
