"""Profile one replication of a bench scenario: where the engine's time goes.

    python bench/profile_engine.py [full_desk|erlang_a] [--horizon 3d] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from pathlib import Path

import yaml

from simdesk.engine import simulate
from simdesk.loading import scenario_from_data

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario", nargs="?", default="full_desk", choices=["full_desk", "erlang_a"]
    )
    parser.add_argument("--horizon", default="3d")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    data = yaml.safe_load((HERE / "scenarios" / f"{args.scenario}.yaml").read_text())
    data["horizon"] = args.horizon
    scenario = scenario_from_data(data)
    profile = cProfile.Profile()
    profile.runcall(simulate, scenario)
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
