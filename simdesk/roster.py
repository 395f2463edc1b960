"""Shift rosters: the cheapest set of shifts covering a requirement in every interval.

The classic shift-scheduling integer program (Dantzig 1954): one integer variable per
shift pattern (a start time on the grid, a length, its break), the number of agents
working it; for every slot of the day, the agents on duty must be at least the slot's
requirement; minimise paid hours times the pool's hourly cost. A pattern used at all has
between ``min_agents`` and ``max_agents`` agents (a binary per pattern when the minimum is
above one). The day is cyclic: a shift starting at 20:00 for 8 hours covers the early
hours of the day (the next day, which has the same requirement).

It is solved by HiGHS through ``scipy.optimize.milp``: HiGHS is a maintained open-source
MILP solver that proves optimality on models of this size in well under a second, and
scipy, which ships it, is already a test dependency of simdesk, so no new native package
is needed. scipy is an optional extra (``pip install 'simdesk[optimize]'``), imported only
here, only when a roster is solved.

This module is pure: no simulation, no printing. ``intraday.meet_targets`` simulates the
roster and raises the requirement where an interval still misses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from simdesk.errors import Problem, SimdeskError
from simdesk.intraday import DAY, DayGrid, Plan, Planner, clock
from simdesk.limits import MAX_AGENTS, MAX_SHIFT_PATTERNS
from simdesk.scenario import DAY_NAMES

__all__ = [
    "MILP_HINT",
    "Pattern",
    "ShiftRules",
    "Uncoverable",
    "coverage",
    "patterns",
    "require_milp",
    "roster_planner",
    "roster_shifts",
    "slot_length",
    "solve",
]

MILP_HINT = "pip install 'simdesk[optimize]'"
TIME_LIMIT_S = 60.0
"""HiGHS stops here with the best roster found (proved optimal far sooner on real sizes)."""


def require_milp() -> None:
    """scipy (with HiGHS) is an optional extra: say how to install it, before any run."""
    try:
        from scipy.optimize import milp  # noqa: F401
    except ImportError:
        raise SimdeskError(
            Problem(
                f"rosters are solved by HiGHS through scipy, which is not installed; "
                f"install it with {MILP_HINT}",
                key="roster",
            )
        ) from None


@dataclass(frozen=True)
class ShiftRules:
    """The shifts a pool allows."""

    lengths: tuple[float, ...]
    """Shift lengths in seconds, break included."""
    start_every: float
    """Shifts start on this grid from 00:00."""
    min_agents: int = 1
    max_agents: int = MAX_AGENTS
    break_s: float = 0.0
    """One unpaid break per shift, placed in its middle (on the slot grid)."""
    days: tuple[int, ...] = tuple(range(7))
    cost_per_hour: float = 0.0
    """The pool's ``cost.per_hour``; paid hours are minimised when it is zero."""

    def problems(self) -> list[Problem]:
        """What is wrong with the rules, each naming its option."""
        out: list[Problem] = []
        if not self.lengths:
            out.append(Problem("give at least one shift length, e.g. 8h", key="--lengths"))
        for length in self.lengths:
            if not 0 < length < DAY:
                out.append(
                    Problem(
                        f"a shift lasts more than 0 and less than 24h; got {clock(length)}",
                        key="--lengths",
                    )
                )
            elif self.break_s >= length:
                out.append(Problem("the break must be shorter than every shift", key="--break"))
        if not 60 <= self.start_every <= DAY or DAY % self.start_every:
            out.append(
                Problem(
                    "expected a start grid that divides a day, from 1m (e.g. 30m, 1h)",
                    key="--starts",
                )
            )
        for value, what in [
            (self.start_every, "--starts"),
            (self.break_s, "--break"),
            *((x, "--lengths") for x in self.lengths),
        ]:
            if value % 60:
                out.append(Problem("expected whole minutes", key=what))
        if self.break_s < 0:
            out.append(Problem("the break cannot be negative", key="--break"))
        if self.min_agents < 1:
            out.append(Problem("expected at least 1", key="--min"))
        if self.max_agents < self.min_agents:
            out.append(Problem(f"expected at least --min ({self.min_agents})", key="--max"))
        if self.max_agents > MAX_AGENTS:
            out.append(Problem(f"at most {MAX_AGENTS:,}", key="--max"))
        return out


def slot_length(rules: ShiftRules, interval: float) -> float:
    """The model's time step: the largest that every length, the start grid, the break
    and the requirement's interval are whole multiples of."""
    parts = [int(interval), int(rules.start_every), *(int(x) for x in rules.lengths)]
    if rules.break_s > 0:
        parts.append(int(rules.break_s))
    return float(reduce(math.gcd, parts))


@dataclass(frozen=True)
class Pattern:
    """One kind of shift: where it starts and ends, and its break, in slots."""

    start: int
    length: int
    break_at: int
    """Offset of the break from the start (0 with no break)."""
    break_len: int
    cost: float
    """Per agent per working day."""

    def slots(self, per_day: int) -> list[int]:
        """The slots of the day an agent of this shift is on duty (wrapping past 24:00)."""
        on = [
            k for k in range(self.length) if not self.break_at <= k < self.break_at + self.break_len
        ]
        return [(self.start + k) % per_day for k in on]


def patterns(rules: ShiftRules, slot: float) -> list[Pattern]:
    """Every shift the rules allow: each length at each start on the grid."""
    per_day = round(DAY / slot)
    step = round(rules.start_every / slot)
    b = round(rules.break_s / slot)
    count = len(rules.lengths) * (per_day // step)
    if count > MAX_SHIFT_PATTERNS:
        raise SimdeskError(
            Problem(
                f"{count:,} shift patterns (lengths x start times); at most "
                f"{MAX_SHIFT_PATTERNS:,}: use a coarser --starts",
                key="--starts",
            )
        )
    out = []
    for length_s in sorted(set(rules.lengths)):
        n = round(length_s / slot)
        at = (n - b) // 2 if b else 0
        paid_h = (n - b) * slot / 3600.0
        cost = paid_h * (rules.cost_per_hour or 1.0)
        for s in range(0, per_day, step):
            out.append(Pattern(s, n, at, b, cost))
    return out


class Uncoverable(Exception):
    """No roster the rules allow covers a slot's requirement (every shift at its maximum
    is still too few): the rules, not the solver, are the limit."""

    def __init__(self, slot: int, slot_s: float, required: int, most: int) -> None:
        self.slot, self.required, self.most = slot, required, most
        self.at = clock(slot * slot_s)
        super().__init__(
            f"the shift rules cannot put {required} agents on duty at {self.at}: at most "
            f"{most} (every shift covering it at --max)"
        )


def coverage(counts: Sequence[int], pats: Sequence[Pattern], per_day: int) -> list[int]:
    """Agents on duty in each slot."""
    out = [0] * per_day
    for n, p in zip(counts, pats, strict=True):
        if n:
            for t in p.slots(per_day):
                out[t] += n
    return out


def solve(required: Sequence[int], pats: Sequence[Pattern], rules: ShiftRules) -> list[int]:
    """Agents per pattern at least cost, covering ``required`` (one entry per slot).

    Raises Uncoverable when the rules cannot cover it at all."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, hstack, vstack

    per_day = len(required)
    most = coverage([rules.max_agents] * len(pats), pats, per_day)
    for t, (r, m) in enumerate(zip(required, most, strict=True)):
        if r > m:
            raise Uncoverable(t, DAY / per_day, r, m)
    if not any(required):
        return [0] * len(pats)
    rows, cols = [], []
    for j, p in enumerate(pats):
        for t in p.slots(per_day):
            rows.append(t)
            cols.append(j)
    npat = len(pats)
    cover = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(per_day, npat))
    cost = np.array([p.cost for p in pats], dtype=float)
    req = np.array(required, dtype=float)
    if rules.min_agents <= 1:
        c = cost
        constraints = [LinearConstraint(cover, lb=req, ub=np.inf)]
        bounds = Bounds(np.zeros(npat), np.full(npat, float(rules.max_agents)))
        integrality = np.ones(npat)
    else:
        # x_j = 0 or min <= x_j <= max: a binary y_j says whether pattern j is used.
        eye = coo_matrix((np.ones(npat), (range(npat), range(npat))), shape=(npat, npat))
        c = np.concatenate([cost, np.zeros(npat)])
        constraints = [
            LinearConstraint(hstack([cover, coo_matrix((per_day, npat))]), lb=req, ub=np.inf),
            LinearConstraint(
                vstack(
                    [hstack([eye, -rules.min_agents * eye]), hstack([eye, -rules.max_agents * eye])]
                ),
                lb=np.concatenate([np.zeros(npat), np.full(npat, -np.inf)]),
                ub=np.concatenate([np.full(npat, np.inf), np.zeros(npat)]),
            ),
        ]
        bounds = Bounds(
            np.zeros(2 * npat),
            np.concatenate([np.full(npat, float(rules.max_agents)), np.ones(npat)]),
        )
        integrality = np.ones(2 * npat)
    res = milp(
        c,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"time_limit": TIME_LIMIT_S, "mip_rel_gap": 0.0},
    )
    if res.x is None:  # cannot happen after the coverage check; kept for a clear message
        raise SimdeskError(Problem(f"the roster model was not solved: {res.message}", key="roster"))
    return [round(float(v)) for v in res.x[:npat]]


def roster_shifts(
    counts: Sequence[int], pats: Sequence[Pattern], slot: float, days: Sequence[int]
) -> list[dict[str, Any]]:
    """The roster in the scenario format: one shift per pattern used, two (before and after
    the break, the same number of agents) when it has a break."""
    per_day = round(DAY / slot)
    out: list[dict[str, Any]] = []

    def span(a: int, b: int, n: int) -> dict[str, Any]:
        start, end = (a % per_day) * slot, (b % per_day) * slot
        sh: dict[str, Any] = {"start": clock(start), "end": "24:00" if end == 0 else clock(end)}
        if len(days) < 7:
            # The part after a break that falls past midnight starts on the next day.
            later = a // per_day
            sh = {"days": ",".join(DAY_NAMES[(d + later) % 7] for d in sorted(days)), **sh}
        return {**sh, "agents": n}

    for n, p in sorted(zip(counts, pats, strict=True), key=lambda x: (x[1].start, x[1].length)):
        if n <= 0:
            continue
        if p.break_len:
            out.append(span(p.start, p.start + p.break_at, n))
            out.append(span(p.start + p.break_at + p.break_len, p.start + p.length, n))
        else:
            out.append(span(p.start, p.start + p.length, n))
    return out


def roster_planner(rules: ShiftRules, grid: DayGrid) -> Planner:
    """Requirement per interval of ``grid`` -> the cheapest roster covering it
    (``intraday.meet_targets`` calls this each round with the raised requirement)."""
    slot = slot_length(rules, grid.interval)
    per_day = round(DAY / slot)
    pats = patterns(rules, slot)

    def plan(required: list[int]) -> Plan:
        per_slot = [required[int(t * slot // grid.interval)] for t in range(per_day)]
        counts = solve(per_slot, pats, rules)
        cov = coverage(counts, pats, per_day)
        per_interval = round(grid.interval / slot)
        scheduled = [min(cov[i * per_interval : (i + 1) * per_interval]) for i in range(grid.count)]
        cost = sum(n * p.cost for n, p in zip(counts, pats, strict=True))
        return Plan(
            roster_shifts(counts, pats, slot, rules.days),
            scheduled,
            cost if rules.cost_per_hour else None,
        )

    return plan
