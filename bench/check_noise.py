"""How often `simdesk check` fails by noise alone, and how often it catches one agent less.

    python bench/check_noise.py --workers 2         # cheap mode: 200 checks, 50 per case
    python bench/check_noise.py --quick             # 100 checks, 20 per case, smaller pool
    python bench/check_noise.py --horizon full      # the scenarios' own horizons (slow)

Figures are printed, never asserted (issue 12, item 9).

**False alarms.** A reseeded check: every example scenario in scenarios/ is "checked"
with a baseline made from some replications and a new run made from *other*
replications (independent random numbers: what any change of random streams does), all
six scenarios judged as one check, as `simdesk check scenarios/` does. The share of such
checks that fail is the check's false-alarm rate; the rule promises at most alpha (1%).
For contrast the same checks are judged by the previous rule (a figure failed when its
two 95% intervals did not overlap) and by Welch's test at 1% without Holm's correction.

**Detection.** The same checks where one scenario has one agent less in its largest
people pool (an `agents:` pool: one fewer; a pool on shifts: one fewer on every shift,
or with ``--change largest-shift`` one person fewer on its largest shift only). The
other scenarios are unchanged, so, rerun with their baseline's seeds, they are identical
and add no tests (as in a real check). Two cases: the new run shares the baseline's
random numbers (what `check` really does: it reruns the baseline's seed), and the harder
case where it does not (independent replications).

**Cheap mode (the default), said plainly.** Each scenario's horizon is cut to one day
(the warm-up is kept), and a pool of replications is run once per scenario and variant;
each check draws its baseline and new replications from that pool at random (disjoint
within a check, so each check's two sides are independent), with the scenario's own
replication count a side. Checks therefore share replications with each other: the
false-alarm *rate* is still unbiased, but its spread is wider than the binomial interval
printed beside it. Shorter runs are noisier, so detection in cheap mode is a lower bound
of detection at the scenarios' full horizons.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simdesk.check import CheckRule, decide, raw_verdicts  # noqa: E402
from simdesk.experiment import RunFigures, Task, run_serial, summarize  # noqa: E402
from simdesk.loading import scenario_from_data  # noqa: E402
from simdesk.parallel import local_runner  # noqa: E402
from simdesk.report import summary_json  # noqa: E402
from simdesk.scenario import Scenario  # noqa: E402

SCENARIOS = ROOT / "scenarios"


@dataclass
class Example:
    file: Path
    scenario: Scenario
    variant: Scenario
    removed: str  # what "one agent less" removed, in words
    base_runs: list[RunFigures]
    variant_runs: list[RunFigures]


def one_agent_less(data: dict[str, Any], change: str) -> tuple[dict[str, Any], str]:
    """The scenario with one agent less in its largest people pool.

    ``every-shift``: a pool on shifts has one agent fewer on every shift (the pool is one
    agent short whenever it is staffed); ``largest-shift``: one person fewer on its
    largest shift only (the harshest reading: 5 to 8 hours a day). An ``agents:`` pool
    has one agent fewer either way.
    """
    people = [p for p in data["pools"] if p.get("kind") != "bot"]

    def size(pool: dict[str, Any]) -> int:
        if "agents" in pool:
            return int(pool["agents"])
        return max(int(s["agents"]) for s in pool["shifts"])

    pool = max(people, key=size)
    if "agents" in pool:
        pool["agents"] = int(pool["agents"]) - 1
        return data, f"{pool['name']}: {pool['agents'] + 1} -> {pool['agents']} agents"
    if change == "every-shift":
        for shift in pool["shifts"]:
            shift["agents"] = max(1, int(shift["agents"]) - 1)
        return data, f"{pool['name']}: every shift one agent fewer"
    shift = max(pool["shifts"], key=lambda s: int(s["agents"]))
    shift["agents"] = int(shift["agents"]) - 1
    span = f"{shift['start']}-{shift['end']}"
    return data, f"{pool['name']}: shift {span} {shift['agents'] + 1} -> {shift['agents']} agents"


def load(path: Path, horizon: str | None, change: str) -> tuple[Scenario, Scenario, str]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if horizon is not None:
        data["horizon"] = horizon
    scenario = scenario_from_data(data, str(path))
    changed, removed = one_agent_less(data, change)
    return scenario, scenario_from_data(changed, str(path)), removed


def doc(scenario: Scenario, runs: list[RunFigures], idx: list[int]) -> dict[str, Any]:
    return summary_json(summarize(scenario, scenario.seed, [runs[i] for i in idx]))


def old_rule_fails(base: dict[str, Any], new: dict[str, Any]) -> bool:
    """The previous rule: any figure whose two 95% intervals do not overlap."""
    for scope in ("totals", "pools", "types"):
        b_scopes = {"": base["totals"]} if scope == "totals" else base[scope]
        n_scopes = {"": new["totals"]} if scope == "totals" else new[scope]
        for name, figures in b_scopes.items():
            for fig, b in figures.items():
                n = n_scopes.get(name, {}).get(fig)
                if n is None or b["ci95"] is None or n["ci95"] is None:
                    continue
                if b["ci95"][1] < n["ci95"][0] or n["ci95"][1] < b["ci95"][0]:
                    return True
    return False


def wilson(k: int, n: int) -> str:
    """Binomial 95% interval for k of n (as if the checks were independent)."""
    if n == 0:
        return "-"
    z = 1.959964
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return f"[{max(0.0, mid - half):.1%}, {min(1.0, mid + half):.1%}]"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--horizon", default="1d", help="horizon per replication, or 'full'")
    ap.add_argument("--pool", type=int, default=20, help="replications run per scenario")
    ap.add_argument("--checks", type=int, default=200, help="reseeded checks (false alarms)")
    ap.add_argument("--detect", type=int, default=50, help="checks per one-agent-less case")
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument(
        "--change",
        choices=["every-shift", "largest-shift"],
        default="every-shift",
        help="what one agent less means for a pool on shifts (see one_agent_less)",
    )
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=12, help="seed of the random draws of checks")
    ap.add_argument("--quick", action="store_true", help="--pool 12 --checks 100 --detect 20")
    args = ap.parse_args()
    if args.quick:
        args.pool, args.checks, args.detect = 12, 100, 20
    horizon = None if args.horizon == "full" else args.horizon
    runner = run_serial if args.workers <= 1 else local_runner(args.workers)
    rule = CheckRule(alpha=args.alpha)
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    examples: list[Example] = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario, variant, removed = load(path, horizon, args.change)
        if 2 * scenario.replications > args.pool:
            sys.exit(f"--pool must be at least {2 * scenario.replications} for {path.name}")
        tasks = [Task(scenario, scenario.seed, i) for i in range(args.pool)]
        vtasks = [Task(variant, scenario.seed, i) for i in range(args.pool)]
        runs = runner(tasks + vtasks)
        examples.append(
            Example(path, scenario, variant, removed, runs[: args.pool], runs[args.pool :])
        )
    run_s = time.perf_counter() - t0

    print("simdesk check: false alarms and detection (bench/check_noise.py)")
    mode = "full horizons" if horizon is None else f"CHEAP MODE: horizon cut to {horizon}"
    print(
        f"{mode}, warm-up kept; a pool of {args.pool} replications per scenario and per "
        f"variant ({run_s:.0f} s to run); each check draws its replications from the pool "
        f"(checks share replications, so the intervals below are optimistic); "
        f"rule: {rule}"
    )
    print()

    # ---- false alarms ----------------------------------------------------------------
    failed_new = failed_old = failed_raw = 0
    m_total = 0
    by_figure: dict[str, int] = {}
    for _ in range(args.checks):
        groups = []
        old_fail = False
        for ex in examples:
            n = ex.scenario.replications
            idx = rng.sample(range(args.pool), 2 * n)
            base = doc(ex.scenario, ex.base_runs, idx[:n])
            new = doc(ex.scenario, ex.base_runs, idx[n:])
            groups.append(raw_verdicts(base, new, {}, None, rule))
            old_fail = old_fail or old_rule_fails(base, new)
        decided = decide(groups, rule)
        tested = [f for g in decided for f in g if f.tested]
        m_total += len(tested)
        fails = [f for f in tested if f.failed]
        failed_new += bool(fails)
        failed_old += old_fail
        failed_raw += any((f.p_value or 1.0) <= args.alpha for f in tested)
        for ex, g in zip(examples, decided, strict=True):
            for f in g:
                if f.failed:
                    key = f"{ex.file.stem}:{f.key}"
                    by_figure[key] = by_figure.get(key, 0) + 1
    k = args.checks
    print(f"False alarms: {k} reseeded checks of all {len(examples)} example scenarios")
    print(f"  figures tested per check (Holm's family): {m_total / k:.0f}")
    print(
        f"  Welch + Holm at {args.alpha:g} (new rule): {failed_new}/{k} checks failed = "
        f"{failed_new / k:.1%} {wilson(failed_new, k)}"
    )
    print(
        f"  Welch at {args.alpha:g}, no correction:     {failed_raw}/{k} = {failed_raw / k:.1%} "
        f"{wilson(failed_raw, k)}"
    )
    print(
        f"  95% intervals overlap (old rule):    {failed_old}/{k} = {failed_old / k:.1%} "
        f"{wilson(failed_old, k)}"
    )
    if by_figure:
        worst = sorted(by_figure.items(), key=lambda kv: -kv[1])[:5]
        print("  figures that failed: " + ", ".join(f"{name} x{c}" for name, c in worst))
    print()

    # ---- detection of one agent less --------------------------------------------------
    print(f"Detection of one agent less: {args.detect} checks per scenario, all in one check")
    header = f"  {'scenario':<14} {'change':<44} {'same seeds':>10} {'independent':>11}  caught"
    print(header)
    for target in examples:
        caught_crn = caught_ind = 0
        figs: dict[str, int] = {}
        for _ in range(args.detect):
            docs = []
            for ex in examples:
                n = ex.scenario.replications
                idx = rng.sample(range(args.pool), 2 * n)
                docs.append((ex, idx[:n], idx[n:]))
            for independent in (False, True):
                groups = []
                for ex, b_idx, other in docs:
                    base = doc(ex.scenario, ex.base_runs, b_idx)
                    if ex is not target:
                        new = base  # unchanged scenario, same seed: identical
                    else:
                        v_idx = other if independent else b_idx
                        new = doc(ex.variant, ex.variant_runs, v_idx)
                    groups.append(raw_verdicts(base, new, {}, None, rule))
                decided = decide(groups, rule)
                mine = decided[examples.index(target)]
                hit = any(f.failed for f in mine)
                if independent:
                    caught_ind += hit
                else:
                    caught_crn += hit
                    for f in mine:
                        if f.failed:
                            figs[str(f.key)] = figs.get(str(f.key), 0) + 1
        top = ", ".join(name for name, _ in sorted(figs.items(), key=lambda kv: -kv[1])[:3])
        d = args.detect
        print(
            f"  {target.file.stem:<14} {target.removed:<44} {caught_crn / d:>10.0%} "
            f"{caught_ind / d:>11.0%}  {top}"
        )
    print()
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
