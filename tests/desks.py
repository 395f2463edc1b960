"""Small desks shared by several test files (tests/ is on sys.path under pytest)."""

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
