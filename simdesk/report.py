"""Machine-readable results: the JSON document and its atomic writing.

Numbers are rounded to 12 significant digits so that the same scenario and seed give
byte-identical files across platforms whose last float bits might differ; undefined
figures (NaN) become null. Files are written to a temporary name and renamed, so a
failed or interrupted run never leaves half a file behind.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from simdesk import __version__
from simdesk.confidence import Estimate
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import PeriodScope, Scope, Summary
from simdesk.figures import PERIOD_KINDS
from simdesk.inputs import scenario_inputs
from simdesk.targets import TargetVerdict

# 2: every estimate also records its replications' sd and n (for `check`'s test).
# 3: a run's document adds "periods" (day, week, month) and "pool_intervals"; what
# version 2 held is unchanged, so `check` still reads version 2 baselines.
SCHEMA_VERSION = 3


def number(x: float | None) -> float | None:
    if x is None or math.isnan(x) or math.isinf(x):
        return None
    return float(f"{x:.12g}")


def estimate_json(e: Estimate) -> dict[str, Any]:
    ci = None if e.ci95 is None else [number(e.ci95[0]), number(e.ci95[1])]
    if ci is not None and None in ci:
        ci = None
    sd = None if ci is None or e.sd is None else number(e.sd)
    return {"mean": number(e.mean), "ci95": ci, "sd": sd, "n": e.n}


def scope_json(scope: Scope) -> dict[str, Any]:
    return {k: estimate_json(v) for k, v in scope.items()}


def targets_json(verdicts: Sequence[TargetVerdict]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "figure": t.figure,
            "goal": t.goal,
            "value": number(t.value),
            "met": t.met,
            "status": t.status,
            "reason": t.reason,
        }
        for t in verdicts
    ]


def periods_json(periods: dict[str, list[PeriodScope]]) -> dict[str, Any]:
    """Each kind of period, each period with its index (from 1), first date (null without
    a start date) and measured seconds, then the totals' figures and, when some pool has
    ``workforce``, ``pools`` (those pools' figures in the period); ``month`` is empty
    without a start date."""
    return {
        kind: [
            {
                "index": p.period.index,
                "start": None if p.period.start is None else p.period.start.isoformat(),
                "measured_s": number(p.measured_s),
                **scope_json(p.figures),
                **({"pools": {name: scope_json(v) for name, v in p.pools.items()}}
                   if p.pools else {}),
            }
            for p in periods.get(kind, [])
        ]
        for kind in PERIOD_KINDS
    }


def summary_json(s: Summary) -> dict[str, Any]:
    """The documented result document (docs/figures.md), schema_version 3."""
    erlang = None
    if s.erlang is not None:
        e = s.erlang
        erlang = {
            "model": e.model,
            "agents": e.agents,
            "p_wait": number(e.p_wait),
            "wait_mean_s": number(e.wait_mean_s),
            "wait_queued_mean_s": number(e.wait_mean_s / e.p_wait if e.p_wait else None),
            "asa_s": number(e.asa_s),
            "abandonment_rate": number(e.abandonment_rate),
            "service_level": number(e.service_level),
            "occupancy": number(e.occupancy),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "simdesk_version": __version__,
        "scenario": s.scenario.name,
        "seed": s.seed,
        "replications": s.replications,
        "service_level_within_s": s.scenario.service_level_within,
        "totals": scope_json(s.totals),
        "pools": {name: scope_json(v) for name, v in s.pools.items()},
        "types": {name: scope_json(v) for name, v in s.types.items()},
        "intervals": [{"hour": h, **scope_json(scope)} for h, scope in enumerate(s.intervals)],
        "pool_intervals": {
            name: [{"hour": h, **scope_json(scope)} for h, scope in enumerate(hours)]
            for name, hours in s.pool_hours.items()
        },
        "periods": periods_json(s.periods),
        "erlang": erlang,
        "targets": targets_json(s.targets),
        "warnings": list(s.warnings),
        # Last, so the figures stay at the top of the file; check reads it to say which
        # inputs changed beside which figures moved.
        "inputs": scenario_inputs(s.scenario),
    }


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def json_chunks(doc: Any) -> Iterator[str]:
    """``dumps(doc)`` piece by piece: a year's document (a few MB, hundreds of periods) is
    written as it is encoded, never held whole next to its pieces."""
    yield from json.JSONEncoder(indent=2, allow_nan=False).iterencode(doc)
    yield "\n"


def write_output(path: str | os.PathLike[str], text: str | Iterable[str]) -> None:
    """Write a file the user asked for; a failure is their input error, located at the path."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise SimdeskError(Problem(f"cannot write: {exc.strerror or exc}", str(path))) from exc


def write_atomic(path: str | os.PathLike[str], text: str | Iterable[str]) -> None:
    """Write text (or its pieces) so that the file is either complete or untouched."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                fh.writelines(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
