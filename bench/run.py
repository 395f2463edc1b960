"""simdesk benchmark: throughput, memory, a month of the desk, and sweep scaling.

    python bench/run.py                      # full run (several minutes)
    python bench/run.py --quick              # smoke check, well under a minute
    python bench/run.py --sizes 100k,1M,5M --json bench/results/latest.json

Every measurement runs in a fresh child process (``python bench/run.py --one KIND SIZE``,
which prints one JSON line), so the peak resident memory (ru_maxrss) it reports belongs to
that run alone. simdesk and the plain-SimPy baseline are run alternately, size by size and
round by round, so the ratio between them is measured under the same machine conditions.
Figures are printed and written as JSON; targets are shown as met or missed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SCENARIOS = BENCH / "scenarios"
ERLANG_A = SCENARIOS / "erlang_a.yaml"
FULL_DESK = SCENARIOS / "full_desk.yaml"

# The desk of docs/sources.md: 2.3 million bot conversations in the first month -> about 75,000
# inquiries a day. full_desk.yaml has 2,900/h fresh arrivals (69,600 a day); repeats and
# retries add about 8.5% in steady state (measured), giving about 75,500 a day. A size is
# turned into a horizon by integrating the intraday arrival profile, so small sizes do not
# land in the quiet night hours; the inquiries actually offered are what is reported.
FULL_DESK_FOLLOWUP_FACTOR = 1.085
MONTH_DAYS = 30
DAY = 86400.0

SCHEMA = "simdesk-bench/1"

KINDS = (
    "simdesk_erlang",  # simdesk engine, Erlang A scenario
    "baseline_erlang",  # plain SimPy, same model
    "heapq_erlang",  # bare heapq event loop, same model (reference ceiling)
    "simdesk_full",  # simdesk engine, full desk
    "month",  # simdesk engine, full desk, SIZE days (30 for "a month")
    "sweep",  # SIZE = number of workers; sweep of replications through a process pool
)

TARGETS = {
    "erlang_ratio": 3.0,
    "full_desk_inq_per_s": 100_000.0,
    "memory_ratio": 1.25,
    "month_s": 30.0,
    "sweep_ratio": 1.8,
}


# --------------------------------------------------------------------------- helpers
def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    value = float(t) * mult
    if value <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return int(value)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


def peak_rss_mb() -> float:
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def _load_data(path: Path) -> dict[str, Any]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _scenario(path: Path, horizon_s: float) -> Any:
    """Load a bench scenario and replace its horizon (edited raw data, then validated)."""
    from simdesk.loading import scenario_from_data

    data = _load_data(path)
    data["horizon"] = f"{horizon_s:.3f}s"
    data["warmup"] = 0
    return scenario_from_data(data, str(path))


def _full_desk_hourly() -> list[float]:
    """Expected fresh arrivals in each hour of the week of the full desk."""
    from simdesk.loading import load_scenario

    s = load_scenario(FULL_DESK)
    return [s.demand.arrival_rate * s.demand.rate_multiplier(h) * 3600.0 for h in range(168)]


def full_desk_expected(horizon_s: float) -> int:
    """Expected offered inquiries (fresh plus follow-ups, steady state) over a horizon."""
    hourly = _full_desk_hourly()
    hours = int(horizon_s // 3600)
    fresh = sum(hourly[h % 168] for h in range(hours))
    fresh += hourly[hours % 168] * (horizon_s - hours * 3600) / 3600
    return round(fresh * FULL_DESK_FOLLOWUP_FACTOR)


def full_desk_horizon(n: int) -> float:
    """Horizon (s) at which the full desk's expected offered inquiries reach n."""
    hourly = _full_desk_hourly()
    need = n / FULL_DESK_FOLLOWUP_FACTOR
    t, h = 0.0, 0
    while True:
        per_hour = hourly[h % 168]
        if per_hour >= need:
            return t + need / per_hour * 3600.0
        need -= per_hour
        t += 3600.0
        h += 1


def erlang_params() -> dict[str, float]:
    """The Erlang A model's numbers, read from the scenario so both models agree."""
    from simdesk.loading import load_scenario

    s = load_scenario(ERLANG_A)
    pool = s.pools[0]
    assert s.customers.patience is not None and pool.agents is not None
    return {
        "rate_per_s": s.demand.arrival_rate,
        "mean_handle_s": pool.handle_for(s.type_names[0]).mean / pool.speed,
        "mean_patience_s": s.customers.patience.mean,
        "agents": pool.agents,
        "seed": s.seed,
    }


# ---------------------------------------------------------------------- child mode
def _run_simdesk(path: Path, horizon_s: float) -> dict[str, Any]:
    from simdesk.engine import simulate
    from simdesk.figures import run_figures

    scenario = _scenario(path, horizon_s)
    start = time.perf_counter()
    tallies = simulate(scenario)
    sim_s = time.perf_counter() - start
    start = time.perf_counter()
    totals = run_figures(tallies).totals
    figures_s = time.perf_counter() - start
    return {
        "inquiries": int(totals["offered"]),
        "seconds": sim_s,
        "figures_seconds": figures_s,
        "abandonment_rate": totals["abandonment_rate"],
        "wait_mean_s": totals["wait_mean_s"],
        "horizon_s": horizon_s,
    }


def _run_erlang_model(module_name: str, n: int) -> dict[str, Any]:
    import importlib

    sys.path.insert(0, str(BENCH))
    params = erlang_params()
    module = importlib.import_module(module_name)
    start = time.perf_counter()
    out = module.run(
        n,
        params["rate_per_s"],
        params["mean_handle_s"],
        params["mean_patience_s"],
        int(params["agents"]),
        int(params["seed"]),
    )
    seconds = time.perf_counter() - start
    return {
        "inquiries": int(out["customers"]),
        "seconds": seconds,
        "abandonment_rate": out["abandonment_rate"],
        "wait_mean_s": out["wait_mean_s"],
    }


def _pool_runner(workers: int) -> tuple[Any, str]:
    """simdesk.parallel.local_runner if it exists; else ProcessPoolExecutor over run_task."""
    import importlib.util

    if importlib.util.find_spec("simdesk.parallel") is not None:
        import importlib

        parallel = importlib.import_module("simdesk.parallel")
        local_runner = getattr(parallel, "local_runner", None)
        if callable(local_runner):
            how = "simdesk.parallel.local_runner"
            if workers == 1:
                how += " (1 worker runs in-process)"
            return local_runner(workers), how

    from concurrent.futures import ProcessPoolExecutor

    from simdesk.experiment import run_task

    def run_pool(tasks: list[Any]) -> list[Any]:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            return list(ex.map(run_task, tasks))

    return run_pool, "concurrent.futures.ProcessPoolExecutor over simdesk.experiment.run_task"


def _run_sweep(workers: int, replications: int, per_rep: int) -> dict[str, Any]:
    from simdesk.experiment import tasks_for

    scenario = _scenario(FULL_DESK, full_desk_horizon(per_rep))
    tasks = tasks_for(scenario, replications=replications)
    runner, how = _pool_runner(workers)
    start = time.perf_counter()
    runs = runner(tasks)
    seconds = time.perf_counter() - start
    offered = [int(r.totals["offered"]) for r in runs]
    return {
        "inquiries": sum(offered),
        "seconds": seconds,
        "workers": workers,
        "replications": replications,
        "runner": how,
        "offered_per_replication": offered,
        "abandonment_rate_per_replication": [r.totals["abandonment_rate"] for r in runs],
    }


def child(kind: str, size: int, sweep_reps: int, sweep_size: int) -> dict[str, Any]:
    if kind == "simdesk_erlang":
        out = _run_simdesk(ERLANG_A, size / erlang_params()["rate_per_s"])
    elif kind == "baseline_erlang":
        out = _run_erlang_model("plain_simpy", size)
    elif kind == "heapq_erlang":
        out = _run_erlang_model("heapq_loop", size)
    elif kind == "simdesk_full":
        out = _run_simdesk(FULL_DESK, full_desk_horizon(size))
    elif kind == "month":  # SIZE = days
        out = _run_simdesk(FULL_DESK, size * DAY)
    elif kind == "sweep":
        out = _run_sweep(size, sweep_reps, sweep_size)
    else:
        raise SystemExit(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    out["kind"] = kind
    out["size"] = size
    out["inq_per_s"] = out["inquiries"] / out["seconds"] if out["seconds"] > 0 else math.nan
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# --------------------------------------------------------------------- parent mode
class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.runs: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []

    def one(self, kind: str, size: int, rnd: int = 0) -> dict[str, Any] | None:
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--one",
            kind,
            str(size),
            "--sweep-replications",
            str(self.args.sweep_replications),
            "--sweep-size",
            str(self.args.sweep_size),
        ]
        label = {"sweep": f"sweep {size} worker(s)", "month": f"month ({size} days)"}.get(
            kind, f"{kind} {size_label(size)}"
        )
        print(f"  running {label} (round {rnd + 1}) ...", end="", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=self.args.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            print(" timed out", file=sys.stderr)
            self.failures.append({"kind": kind, "size": size, "error": "timeout"})
            return None
        if proc.returncode != 0:
            print(" failed", file=sys.stderr)
            err = proc.stderr.strip().splitlines()[-5:]
            print("    " + "\n    ".join(err), file=sys.stderr)
            self.failures.append({"kind": kind, "size": size, "error": "\n".join(err)})
            return None
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["round"] = rnd
        self.runs.append(out)
        print(
            f" {out['inquiries']:,} in {out['seconds']:.2f} s = {out['inq_per_s']:,.0f}/s, "
            f"peak RSS {out['peak_rss_mb']:.0f} MB",
            file=sys.stderr,
        )
        return out

    def rounds_for(self, size: int) -> int:
        if self.args.rounds is not None:
            return self.args.rounds
        if self.args.quick:
            return 1
        return 3 if size < 2_000_000 else 1

    def execute(self) -> dict[str, Any]:
        a = self.args
        self.load_before = _loadavg()
        self.code_before = _code_hash()
        sizes: list[int] = a.sizes
        print(f"simdesk bench ({'quick' if a.quick else 'full'}): sizes "
              f"{', '.join(size_label(s) for s in sizes)}", file=sys.stderr)
        for size in sizes:
            for rnd in range(self.rounds_for(size)):
                # alternate who goes first, so slow drifts of the machine cancel out
                pair = ["simdesk_erlang", "baseline_erlang"]
                for kind in pair if rnd % 2 == 0 else pair[::-1]:
                    self.one(kind, size, rnd)
                self.one("simdesk_full", size, rnd)
            if not a.no_heapq:
                self.one("heapq_erlang", size, 0)
        if not a.quick and not a.no_month:
            self.one("month", MONTH_DAYS, 0)
        if not a.no_sweep:
            for rnd in range(a.sweep_rounds):
                for w in (1, 2) if rnd % 2 == 0 else (2, 1):
                    self.one("sweep", w, rnd)
        return self.summarize()

    # ------------------------------------------------------------------ summary
    def _of(self, kind: str, size: int) -> list[dict[str, Any]]:
        return [r for r in self.runs if r["kind"] == kind and r["size"] == size]

    @staticmethod
    def _median(runs: list[dict[str, Any]], key: str) -> float:
        vals = [r[key] for r in runs if r.get(key) is not None and not _nan(r[key])]
        return statistics.median(vals) if vals else math.nan

    def _cell(self, kind: str, size: int) -> dict[str, Any] | None:
        runs = self._of(kind, size)
        if not runs:
            return None
        return {
            "inquiries": int(self._median(runs, "inquiries")),
            "seconds": self._median(runs, "seconds"),
            "inq_per_s": self._median(runs, "inq_per_s"),
            "peak_rss_mb": self._median(runs, "peak_rss_mb"),
            "abandonment_rate": self._median(runs, "abandonment_rate"),
            "wait_mean_s": self._median(runs, "wait_mean_s"),
            "rounds": len(runs),
        }

    def _paired_ratio(self, size: int, kind: str, base: str) -> float:
        ratios = []
        for rnd in {r["round"] for r in self._of(kind, size)}:
            mine = [r for r in self._of(kind, size) if r["round"] == rnd]
            theirs = [r for r in self._of(base, size) if r["round"] == rnd]
            if mine and theirs:
                ratios.append(mine[0]["inq_per_s"] / theirs[0]["inq_per_s"])
        return statistics.median(ratios) if ratios else math.nan

    def summarize(self) -> dict[str, Any]:
        a = self.args
        sizes: list[int] = a.sizes
        erlang: dict[str, Any] = {}
        full: dict[str, Any] = {}
        for size in sizes:
            lab = size_label(size)
            erlang[lab] = {
                "simdesk": self._cell("simdesk_erlang", size),
                "baseline": self._cell("baseline_erlang", size),
                "heapq": self._cell("heapq_erlang", size),
                "ratio_simdesk_baseline": self._paired_ratio(
                    size, "simdesk_erlang", "baseline_erlang"
                ),
            }
            h, b = erlang[lab]["heapq"], erlang[lab]["baseline"]
            erlang[lab]["ratio_heapq_baseline"] = (
                h["inq_per_s"] / b["inq_per_s"] if h and b else math.nan
            )
            full[lab] = self._cell("simdesk_full", size)

        small, large = sizes[0], sizes[-1]
        memory: dict[str, Any] = {"small": size_label(small), "large": size_label(large)}
        for kind in ("simdesk_erlang", "simdesk_full", "baseline_erlang"):
            lo, hi = self._cell(kind, small), self._cell(kind, large)
            if lo and hi:
                memory[kind] = {
                    "small_mb": lo["peak_rss_mb"],
                    "large_mb": hi["peak_rss_mb"],
                    "ratio": hi["peak_rss_mb"] / lo["peak_rss_mb"],
                    "growth_mb": hi["peak_rss_mb"] - lo["peak_rss_mb"],
                }

        month: dict[str, Any] | None = None
        m = self._of("month", MONTH_DAYS)
        if m:
            month = {
                "inquiries": m[0]["inquiries"],
                "seconds": m[0]["seconds"],
                "seconds_with_figures": m[0]["seconds"] + m[0].get("figures_seconds", 0.0),
                "inq_per_s": m[0]["inq_per_s"],
                "peak_rss_mb": m[0]["peak_rss_mb"],
                "abandonment_rate": m[0]["abandonment_rate"],
                "estimated": False,
            }
        elif full.get(size_label(large)):
            rate = full[size_label(large)]["inq_per_s"]
            est_n = full_desk_expected(MONTH_DAYS * DAY)
            month = {
                "inquiries": est_n,
                "seconds": est_n / rate,
                "inq_per_s": rate,
                "estimated": True,
                "note": f"not run; extrapolated from the full desk at {size_label(large)}",
            }

        sweep: dict[str, Any] | None = None
        s1, s2 = self._of("sweep", 1), self._of("sweep", 2)
        if s1 and s2:
            t1 = statistics.median(r["seconds"] for r in s1)
            t2 = statistics.median(r["seconds"] for r in s2)
            sweep = {
                "replications": a.sweep_replications,
                "inquiries_per_replication": a.sweep_size,
                "scenario": "full_desk",
                "runner": s1[0]["runner"],
                "seconds_1_worker": t1,
                "seconds_2_workers": t2,
                "ratio": t1 / t2,
                "rounds": len(s1),
                "identical_results": s1[0]["offered_per_replication"]
                == s2[0]["offered_per_replication"]
                and s1[0]["abandonment_rate_per_replication"]
                == s2[0]["abandonment_rate_per_replication"],
                "cpus": os.cpu_count(),
            }

        targets = self._targets(erlang, full, memory, month, sweep, large)
        code_after = _code_hash()
        return {
            "schema": SCHEMA,
            "when": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "mode": "quick" if a.quick else "full",
            "machine": _machine(),
            "sizes": [size_label(s) for s in sizes],
            "erlang_a": erlang,
            "full_desk": full,
            "memory": memory,
            "month": month,
            "sweep": sweep,
            "targets": targets,
            "load_average_1min": {"before": self.load_before, "after": _loadavg()},
            "simdesk_code": {
                "sha256_before": self.code_before,
                "sha256_after": code_after,
                "changed_during_run": code_after != self.code_before,
            },
            "runs": self.runs,
            "failures": self.failures,
        }

    @staticmethod
    def _targets(
        erlang: dict[str, Any],
        full: dict[str, Any],
        memory: dict[str, Any],
        month: dict[str, Any] | None,
        sweep: dict[str, Any] | None,
        large: int,
    ) -> list[dict[str, Any]]:
        out = []
        ratios = [v["ratio_simdesk_baseline"] for v in erlang.values()]
        ratios = [r for r in ratios if not _nan(r)]
        worst = min(ratios) if ratios else math.nan
        out.append(_target("Erlang A: simdesk / plain SimPy (worst size)", worst,
                           TARGETS["erlang_ratio"], ">=", "x"))
        rates = [v["inq_per_s"] for v in full.values() if v]
        out.append(_target("full desk: inquiries/s on one core (worst size)",
                           min(rates) if rates else math.nan,
                           TARGETS["full_desk_inq_per_s"], ">=", "/s"))
        mem = [memory[k]["ratio"] for k in ("simdesk_erlang", "simdesk_full") if k in memory]
        out.append(_target(f"peak RSS {memory['large']} / {memory['small']} (simdesk, worst)",
                           max(mem) if mem else math.nan, TARGETS["memory_ratio"], "<=", "x"))
        name = "a month of the desk of docs/sources.md, wall s"
        if month and month.get("estimated"):
            name += " (estimated)"
        out.append(_target(name, month["seconds"] if month else math.nan,
                           TARGETS["month_s"], "<", "s"))
        out.append(_target("sweep: 2 workers / 1 worker speed-up",
                           sweep["ratio"] if sweep else math.nan,
                           TARGETS["sweep_ratio"], ">=", "x"))
        return out


def _target(name: str, measured: float, required: float, op: str, unit: str) -> dict[str, Any]:
    if _nan(measured):
        met = None
    elif op == ">=":
        met = measured >= required
    elif op == "<=":
        met = measured <= required
    else:
        met = measured < required
    return {"target": name, "measured": measured, "required": f"{op} {required:g}{unit}",
            "met": met}


def _nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _code_hash() -> str:
    """Hash of simdesk's sources, to tell which engine the figures belong to."""
    import hashlib

    import simdesk

    root = Path(simdesk.__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on every platform
        return None


def _machine() -> dict[str, Any]:
    import numpy
    import simpy

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
    }


# -------------------------------------------------------------------------- output
def _fmt(x: Any, spec: str = ",.0f") -> str:
    if x is None or _nan(x):
        return "-"
    return format(x, spec)


def render(result: dict[str, Any]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a simdesk dependency
        _render_plain(result)
        return
    console = Console(width=None if sys.stdout.isatty() else 130)
    t = Table(title=f"simdesk bench ({result['mode']}, {result.get('engine', '?')} engine)"
              " - one run, same machine")
    for col in ("model", "size", "inquiries", "seconds", "inquiries/s", "peak RSS MB",
                "abandon", "vs baseline"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for row in _rows(result):
        t.add_row(*row)
    console.print(t)
    extra = Table(title="month and sweep")
    for col in ("measurement", "value"):
        extra.add_column(col)
    for k, v in _extra_rows(result):
        extra.add_row(k, v)
    console.print(extra)
    tt = Table(title="targets (issue 5) - shown, never asserted")
    for col in ("target", "measured", "required", "verdict"):
        tt.add_column(col, justify="left" if col == "target" else "right")
    for tg in result["targets"]:
        verdict = {True: "[green]met[/]", False: "[red]missed[/]", None: "n/a"}[tg["met"]]
        tt.add_row(tg["target"], _fmt(tg["measured"], ",.2f"), tg["required"], verdict)
    console.print(tt)
    load = result["load_average_1min"]
    console.print(f"1-min load average before {_fmt(load['before'], '.2f')}, after "
                  f"{_fmt(load['after'], '.2f')} on {result['machine']['cpus']} CPUs "
                  "(other processes on the machine skew absolute figures and the sweep)")
    code = result["simdesk_code"]
    console.print(f"simdesk sources {code['sha256_before']}"
                  + (" [red]changed during the run[/]" if code["changed_during_run"] else ""))
    if result["failures"]:
        console.print(f"[red]{len(result['failures'])} run(s) failed[/]: "
                      + ", ".join(f"{f['kind']} {f['size']}" for f in result["failures"]))


def _rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for lab, v in result["erlang_a"].items():
        for name, key, ratio in (
            ("Erlang A: simdesk", "simdesk", v["ratio_simdesk_baseline"]),
            ("Erlang A: plain SimPy", "baseline", 1.0),
            ("Erlang A: heapq loop", "heapq", v["ratio_heapq_baseline"]),
        ):
            c = v[key]
            if c:
                rows.append([name, lab, _fmt(c["inquiries"]), _fmt(c["seconds"], ".2f"),
                             _fmt(c["inq_per_s"]), _fmt(c["peak_rss_mb"], ".0f"),
                             _fmt(c["abandonment_rate"], ".4f"), _fmt(ratio, ".2f") + "x"])
    for lab, c in result["full_desk"].items():
        if c:
            rows.append(["full desk: simdesk", lab, _fmt(c["inquiries"]),
                         _fmt(c["seconds"], ".2f"), _fmt(c["inq_per_s"]),
                         _fmt(c["peak_rss_mb"], ".0f"), _fmt(c["abandonment_rate"], ".4f"), ""])
    return rows


def _extra_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    mem = result["memory"]
    for k in ("simdesk_erlang", "simdesk_full", "baseline_erlang"):
        if k in mem:
            m = mem[k]
            out.append((f"peak RSS {mem['large']}/{mem['small']} {k}",
                        f"{m['ratio']:.3f}x ({m['small_mb']:.0f} -> {m['large_mb']:.0f} MB)"))
    mo = result["month"]
    if mo:
        est = " (estimated, not run)" if mo.get("estimated") else ""
        out.append(("a month of the desk (30 d, one core)",
                    f"{mo['inquiries']:,} inquiries in {mo['seconds']:.1f} s{est}"))
    sw = result["sweep"]
    if sw:
        out.append(("sweep",
                    f"{sw['replications']} x {sw['inquiries_per_replication']:,} inquiries: "
                    f"1 worker {sw['seconds_1_worker']:.2f} s, 2 workers "
                    f"{sw['seconds_2_workers']:.2f} s, ratio {sw['ratio']:.2f}x "
                    f"(identical results: {sw['identical_results']}; {sw['runner']})"))
    return out


def _render_plain(result: dict[str, Any]) -> None:
    hdr = ["model", "size", "inquiries", "seconds", "inquiries/s", "peak RSS MB", "abandon",
           "vs baseline"]
    rows = [hdr, *_rows(result)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(hdr))]
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    for k, v in _extra_rows(result):
        print(f"{k}: {v}")
    for tg in result["targets"]:
        verdict = {True: "met", False: "MISSED", None: "n/a"}[tg["met"]]
        print(f"{tg['target']}: {_fmt(tg['measured'], ',.2f')} (required {tg['required']}) "
              f"{verdict}")
    load, code = result["load_average_1min"], result["simdesk_code"]
    print(f"load average before {_fmt(load['before'], '.2f')} after {_fmt(load['after'], '.2f')};"
          f" simdesk sources {code['sha256_before']}"
          + (" CHANGED during the run" if code["changed_during_run"] else ""))


def _json_default(x: Any) -> Any:
    return str(x)


def _clean(x: Any) -> Any:
    """NaN is not JSON: write null instead."""
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="20k and 100k only; no month run")
    p.add_argument("--sizes", type=lambda s: [parse_size(x) for x in s.split(",")],
                   help="comma-separated sizes, e.g. 100k,1M,5M")
    p.add_argument("--json", type=Path, default=None,
                   help="where to write the results (default bench/results/latest.json, "
                   "quick mode bench/results/quick.json)")
    p.add_argument("--rounds", type=int, help="alternating rounds per size "
                   "(default: quick 1; full 3 below 2M, 1 above)")
    p.add_argument("--no-month", action="store_true", help="skip the 30-day full-desk run")
    p.add_argument("--no-sweep", action="store_true", help="skip the 1 vs 2 worker sweep")
    p.add_argument("--no-heapq", action="store_true", help="skip the bare heapq reference")
    p.add_argument("--sweep-replications", type=int, default=None)
    p.add_argument("--sweep-size", type=parse_size, default=None,
                   help="inquiries per sweep replication (full desk)")
    p.add_argument("--sweep-rounds", type=int, default=None)
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per child run")
    p.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"),
                   help=f"child mode: run one measurement and print JSON ({', '.join(KINDS)})")
    args = p.parse_args(argv)

    if args.sweep_replications is None:
        args.sweep_replications = 4 if args.quick else 8
    if args.sweep_size is None:
        args.sweep_size = 50_000 if args.quick else 150_000
    if args.sweep_rounds is None:
        args.sweep_rounds = 1 if args.quick else 2

    if args.one:
        kind, size = args.one[0], parse_size(args.one[1])
        out = child(kind, size, args.sweep_replications, args.sweep_size)
        print(json.dumps(_clean(out)))
        return 0

    if args.json is None:
        args.json = BENCH / "results" / ("quick.json" if args.quick else "latest.json")
    if args.sizes is None:
        args.sizes = [20_000, 100_000] if args.quick else [100_000, 1_000_000, 5_000_000]
    args.sizes = sorted(args.sizes)

    from simdesk import engine_kind

    start = time.perf_counter()
    result = Bench(args).execute()
    result["bench_wall_s"] = time.perf_counter() - start
    result["engine"] = engine_kind()
    sys.stderr.flush()
    render(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(args.json.suffix + ".tmp")
        tmp.write_text(json.dumps(_clean(result), indent=2, default=_json_default) + "\n",
                       encoding="utf-8")
        os.replace(tmp, args.json)
        print(f"wrote {args.json}", file=sys.stderr)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
