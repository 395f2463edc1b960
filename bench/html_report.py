"""Size and writing time of the --html report for every example scenario (issue 11: at
most 1 MB for a three-pool desk, written in under 3 s). Prints the figures; asserts
nothing. The simulation is not timed, only rendering and writing the file.

    .venv/bin/python bench/html_report.py            # each example, one measured day
    .venv/bin/python bench/html_report.py --full     # each example as written (slower)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simdesk.experiment import run_experiment
from simdesk.loading import scenario_from_data
from simdesk.render.html import summary_html
from simdesk.report import write_output
from simdesk.sweep import apply_setting
from simdesk.yamlload import load_yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="run each example as written")
    args = parser.parse_args()
    print(f"{'scenario':<16} {'pools':>5} {'bytes':>9} {'write s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "scenarios").glob("*.yaml")):
            data = load_yaml(path).data
            if not args.full:
                apply_setting(data, "horizon", "1d")
            summary = run_experiment(scenario_from_data(data, str(path)))
            out = Path(tmp) / f"{path.stem}.html"
            start = time.perf_counter()
            write_output(out, summary_html(summary))
            took = time.perf_counter() - start
            pools = len(summary.pools)
            print(f"{path.stem:<16} {pools:>5} {out.stat().st_size:>9,} {took:>8.3f}")


if __name__ == "__main__":
    main()
