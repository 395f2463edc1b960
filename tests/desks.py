"""Small desks shared by several test files (tests/ is on sys.path under pytest)."""

from simdesk.engine import _Desk

# Tiny on purpose: two hours at 60/h, so one replication takes a few milliseconds.
TINY = """\
name: tiny
seed: 3
horizon: 2h
replications: 10
demand:
  arrival_rate: 60/h
  types:
    - name: general
      share: 1.0
customers:
  patience: exponential(mean=2m)
pools:
  - name: bot
    kind: bot
    handle_time: exponential(mean=1m)
    resolution: {general: 0.5}
  - name: inhouse
    kind: inhouse
    agents: 3
    handle_time: exponential(mean=3m)
routing:
  general: [bot, inhouse]
targets:
  service_level: {within: 20s, at_least: 0.8}
"""

# 5 x 3 points.
GRID = ["--set", "pools.inhouse.agents=1:5:1", "--set", "pools.bot.resolution.general=0.3:0.7:0.2"]



class OpenDesk(_Desk):
    """A desk whose methods a test may replace on the instance, to watch the engine.

    A plain ``_Desk`` allows that only in pure Python: compiled (setup.py), its methods
    are read-only. Compiled code calling a method of an instance of this Python subclass
    sees what the test put there (engine/base.py)."""
