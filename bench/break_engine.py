"""Break simdesk on purpose and see which tests notice.

Each break is one small text substitution in a COPY of the project (never in the working
tree): reverse the priority order, stop paying shift overrun, let chats overtake a waiting
call, and so on. For every break the script copies the project to a temporary directory,
applies the substitution, and runs the tests against the copy:

1. the direct rule tests (tests/test_rules_*.py) without -x, to count how many catch it;
2. if none did (or with --full), the rest of the default suite with ``-x``, stopping at
   the first failure, so a break is only reported MISSED after the whole suite passed.

tests/test_baselines.py (the comparison with committed baselines) is never run: every
break must be caught by a test of the rule itself. The substitution is looked up in every
``.py`` file of the package, so it keeps working when modules move; when its text is not
found exactly once, the row says "pattern not found" (or "ambiguous") and nothing is run,
since a break that was not applied must never be reported as caught.

Run from the project root:  .venv/bin/python bench/break_engine.py [-j 2] [--all] [--full]
[-k name]. By default the 15 core breaks are tried (about 20 s each on an idle core);
--all adds the others.
Exit code 0 when every break was applied and caught, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "simdesk"
RULE_TESTS = "tests/test_rules_*.py"
NEVER = ("tests/test_baselines.py",)


@dataclass(frozen=True)
class Break:
    name: str
    old: str
    new: str
    rule: str  # the documented rule it violates
    core: bool = True  # tried by default; the others with --all


BREAKS = [
    Break("reverse priority order", "sorted(pool.queues, reverse=True)", "sorted(pool.queues)",
          "higher priority is answered first"),
    Break("last come, first served", "= q.popleft()", "= q.pop()",
          "equal priorities first come, first served"),
    Break("chats overtake a waiting call", "runtime.mixed = runtime.cap > 1 and",
          "runtime.mixed = False and", "a call at the head keeps its place; chats behind wait"),
    Break("overrun not paid", "if agent.free == agent.cap:", "if True:",
          "staff finishing after their shift stay staffed and paid"),
    Break("agents keep working after shift", "if id(a) not in leaving]", "]",
          "after their shift agents take no new contacts"),
    Break("shift days off by one", "if day % 7 in shift.days", "if (day + 1) % 7 in shift.days",
          "days are the days a shift starts"),
    Break("no shift from the Sunday before", "day = -1", "day = 0",
          "an overnight shift from the day before time 0 is on duty from time 0", core=False),
    Break("00:00-24:00 is empty", "% DAY or DAY", "% DAY or 0.0",
          "00:00-24:00 is the whole day", core=False),
    Break("histogram bin midpoint", "GROWTH ** (i - 0.5)", "GROWTH ** (i + 0.5)",
          "quantiles within 0.5%"),
    Break("histogram rank off by one", "if seen >= rank", "if seen > rank",
          "the q-quantile is the smallest wait covering a share q"),
    Break("per_hour on busy time", "p.staffed_area / p.cap", "p.busy_area / p.cap",
          "people per_hour: per staffed agent-hour, busy or idle"),
    Break("per_resolution per contact", "* p.t_resolved[tidx]", "* p.t_handled[tidx]",
          "per_resolution: per resolution"),
    Break("bot fee on the whole run", "run.measured_s / 3600.0 if p.is_bot",
          "(run.measured_s + run.scenario.warmup) / 3600.0 if p.is_bot",
          "bot per_hour: per hour of the measured period", core=False),
    Break("no escalation penalty", "inq.penalty += self.sat.escalation_penalty",
          "inq.penalty += 0.0", "escalations cost escalation_penalty"),
    Break("no unwanted-bot penalty", "inq.penalty += self.sat.unwanted_bot_penalty",
          "inq.penalty += 0.0", "askers served by the bot cost unwanted_bot_penalty", core=False),
    Break("no repeat factor", "score *= self.repeat_factor", "score *= 1.0 or self.repeat_factor",
          "each earlier contact multiplies the score by repeat_factor"),
    Break("escalation extra not / speed", ".extra / pool.speed", ".extra",
          "escalation_extra is divided by the person's speed", core=False),
    Break("patience restarts per queue", "remaining = inq.patience - inq.wait_total\n",
          "remaining = inq.patience\n", "patience is spent over all queues of a contact"),
    Break("no overflow", "over = route.overflow_after", "over = None",
          "overflow_after lets the next pool answer"),
    Break("warm-up contacts counted", "counted = now >= self.warmup", "counted = True",
          "contacts arriving in the warm-up are not counted"),
    Break("warm-up staffing costed", "pool.busy_area = pool.staffed_area = 0.0",
          "pool.busy_area = pool.busy_area", "costs start at the end of the warm-up", core=False),
    Break("abandoners not missed", '"service_level": _div(t.within, ended)',
          '"service_level": _div(t.within, answered)', "service level counts abandoners as missed",
          core=False),
    Break("intraday not normalised", "* 24 / sum(self.intraday)", "",
          "intraday weights are normalised to a mean of 1", core=False),
    Break("weekday off by one", "self.weekday[day]", "self.weekday[(day + 1) % 7]",
          "weekday weights are Monday first", core=False),
]


@dataclass
class Outcome:
    brk: Break
    status: str  # CAUGHT, MISSED, NOT APPLIED, TIMEOUT, PASS (control), FAIL (control)
    rule_failures: list[str]
    first: str
    seconds: float
    note: str = ""


def copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache",
        ".ruff_cache", "*.egg-info", "build", "dist",
    )
    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)


def apply(dest: Path, brk: Break) -> str | None:
    """Apply the substitution in the copy; return a reason when it cannot be applied."""
    hits = []
    for path in sorted((dest / PACKAGE).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        n = text.count(brk.old)
        if n:
            hits.append((path, text, n))
    total = sum(n for _, _, n in hits)
    if total == 0:
        return "pattern not found"
    if total > 1:
        where = ", ".join(f"{p.relative_to(dest)} x{n}" for p, _, n in hits[:3])
        more = f", +{len(hits) - 3} files" if len(hits) > 3 else ""
        return f"pattern ambiguous: {total} matches ({where}{more})"
    path, text, _ = hits[0]
    path.write_text(text.replace(brk.old, brk.new), encoding="utf-8")
    return None


def pytest_run(
    dest: Path, args: list[str], timeout: float
) -> tuple[int | None, list[str], str]:
    """Run pytest in the copy; (exit code or None on timeout, failed test ids, tail)."""
    env = dict(os.environ, PYTHONPATH=str(dest), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", *args]
    proc = subprocess.Popen(
        cmd, cwd=dest, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, _failed(out), out[-2000:]
    return proc.returncode, _failed(out), out[-2000:]


def _failed(out: str) -> list[str]:
    return re.findall(r"^(?:FAILED|ERROR) (\S+)", out, flags=re.MULTILINE)


def imported_from(dest: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(dest))
    code = f"import {PACKAGE}; print({PACKAGE}.__file__)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=dest, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()


def rest_of_suite(dest: Path) -> list[str]:
    rules = {p.name for p in dest.glob(RULE_TESTS)}
    skip = {Path(n).name for n in NEVER}
    return [
        str(p.relative_to(dest))
        for p in sorted((dest / "tests").glob("test_*.py"))
        if p.name not in rules and p.name not in skip
    ]


def try_break(brk: Break | None, full: bool, timeout: float) -> Outcome:
    control = brk is None
    brk = brk or Break("(none: control run)", "", "", "the rule tests pass on the real code")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="simdesk-break-") as tmp:
        dest = Path(tmp) / "project"
        copy_project(dest)
        if control:
            where = imported_from(dest)
            if not where.startswith(str(dest)):
                return Outcome(brk, "FAIL", [], "", 0.0, f"simdesk imported from {where}")
        else:
            reason = apply(dest, brk)
            if reason is not None:
                return Outcome(brk, "NOT APPLIED", [], "", 0.0, reason)
        rules = sorted(str(p.relative_to(dest)) for p in dest.glob(RULE_TESTS))
        code, failed, tail = pytest_run(dest, rules, timeout)
        if code is None:
            return Outcome(brk, "TIMEOUT", failed, failed[0] if failed else "",
                           time.monotonic() - t0, f"rule tests still running after {timeout:.0f} s")
        if code not in (0, 1):
            return Outcome(brk, "ERROR", failed, "", time.monotonic() - t0,
                           f"pytest exit {code}: {tail.strip().splitlines()[-1:]}")
        first = failed[0] if failed else ""
        if control:
            status = "PASS" if code == 0 else "FAIL"
            return Outcome(brk, status, failed, first, time.monotonic() - t0)
        if failed and not full:
            return Outcome(brk, "CAUGHT", failed, first, time.monotonic() - t0)
        left = max(timeout - (time.monotonic() - t0), 30.0)
        code2, failed2, _ = pytest_run(dest, ["-x", *rest_of_suite(dest)], left)
        if code2 is None and not failed:
            return Outcome(brk, "TIMEOUT", failed, "", time.monotonic() - t0,
                           f"rest of the suite still running after {left:.0f} s")
        if failed or failed2:
            note = f"rest of suite -x: {failed2[0]}" if failed2 else ""
            return Outcome(brk, "CAUGHT", failed, first or failed2[0], time.monotonic() - t0,
                           note)
        return Outcome(brk, "MISSED", [], "", time.monotonic() - t0)


def short(test_id: str) -> str:
    return test_id.replace("tests/", "").replace(".py::", "::")


def table(outcomes: list[Outcome]) -> str:
    rows = [("break", "rule tests failing", "first failing test", "verdict")]
    for o in outcomes:
        count = str(len(o.rule_failures)) if o.status not in ("NOT APPLIED",) else "-"
        first = short(o.first) if o.first else (o.note or "-")
        first = first if len(first) <= 100 else first[:97] + "..."
        verdict = o.status
        rows.append((o.brk.name, count, first, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-j", "--jobs", type=int, default=2, help="breaks tried at once (2)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per break (300)")
    ap.add_argument("--full", action="store_true",
                    help="also run the rest of the suite (-x) when the rule tests caught it")
    ap.add_argument("--all", action="store_true",
                    help=f"all {len(BREAKS)} breaks, not only the core ones")
    ap.add_argument("-k", default="", help="only breaks whose name contains this text")
    ap.add_argument("--list", action="store_true", help="list the breaks and exit")
    args = ap.parse_args()
    chosen = [
        b for b in BREAKS
        if args.k.lower() in b.name.lower() and (b.core or args.all or args.k)
    ]
    if args.list:
        for b in chosen:
            print(f"{b.name}: {b.rule}\n    {b.old!r} -> {b.new!r}")
        return 0
    t0 = time.monotonic()
    control = try_break(None, False, args.timeout)
    if control.status != "PASS":
        print(table([control]))
        print(f"\nthe unbroken copy does not pass the rule tests ({control.note or control.first});"
              " nothing to compare against")
        return 1
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda b: try_break(b, args.full, args.timeout), chosen))
    print(table([control, *outcomes]))
    caught = sum(o.status == "CAUGHT" for o in outcomes)
    print(f"\n{caught} of {len(outcomes)} breaks caught without the baselines "
          f"({time.monotonic() - t0:.0f} s, {args.jobs} at once; control run "
          f"{control.seconds:.0f} s)")
    for o in outcomes:
        if o.status != "CAUGHT":
            print(f"  {o.brk.name}: {o.status} {o.note}".rstrip())
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
