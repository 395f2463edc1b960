"""Hard limits on what simdesk accepts, in one place.

Whatever a scenario or command line asks, simdesk either runs it with progress or refuses
it up front with a clear message (exit 2). These caps are far above any real desk, so a
user meets them only by mistake (a typo of three zeros) or by hostile input; each message
that cites one says what was asked and what the cap is.
"""

from __future__ import annotations

# Input files: a scenario is a few kilobytes; a baseline a few hundred. Pure-Python YAML
# reads about 1 MB a second, so the cap also bounds the time spent reading.
MAX_INPUT_BYTES = 1_000_000
# A baseline (a result document) holds every period of its run: a year's days, weeks and
# months with their figures come to about 3.5 MB. JSON reads at well over 50 MB a second,
# so this cap still bounds the time spent on a wrong file (/dev/zero) to a fraction of a
# second.
MAX_BASELINE_BYTES = 20_000_000
# YAML aliases expand by reference; a file with more alias uses than this is refused
# before anything copies the expanded tree (an "alias bomb").
MAX_YAML_ALIASES = 1_000
# Replications of one scenario (file, command line or a baseline given to `check`).
MAX_REPLICATIONS = 10_000
# Agents in one pool (people), and bot concurrency beyond which "unlimited" is meant.
MAX_AGENTS = 1_000_000
# Points in one sweep grid.
MAX_GRID_POINTS = 10_000
# Inquiries expected over all replications of one run (arrival rate x time); above this
# a run would take days, so it is refused with the estimate in the message.
MAX_INQUIRIES = 2_000_000_000
# Digits in an integer given on the command line (Python refuses above 4300 anyway).
MAX_INT_DIGITS = 30
# Customers still queued at the end of one replication of an overloaded desk whose
# customers never abandon (each costs a few hundred bytes, and they pile up in memory).
MAX_WAITING = 5_000_000
# Keys one staffing search varies at once (`optimize --vary`): the search nests a ternary
# search per key, so its cost grows with each; four covers bot + three pools.
MAX_VARIED_KEYS = 4
# Values in one `optimize --vary` range (0:1000000 agents is searched by bisection).
MAX_VARY_VALUES = 1_000_001
# Values (scalars, lists and mappings) in one YAML file, counted as read and again with its
# aliases expanded. The examples have 50 to 280; an empirical distribution written as a
# list may have a few thousand. Reading stops at the cap (about 10,000 values a second).
MAX_YAML_NODES = 20_000
# Iterations of the iterative staffing algorithm (`simdesk staff`, `roster`): it settles in
# a few; a staffing that keeps changing after this many is taken as it stands.
MAX_STAFFING_ITERATIONS = 20
# The shortest interval ``staff`` and ``roster`` measure and staff (seconds): each run then
# keeps a wait histogram per interval of the day for contacts, people and issues (288 of
# each at 5 minutes, a few MB); shorter intervals hold too few contacts to judge anyway.
MIN_STAFFING_INTERVAL_S = 300.0
# Rounds of "simulate, raise the hours that miss" after it: each adds an agent to every
# hour that misses, so this bounds how far a first guess may be off.
MAX_RAISE_ROUNDS = 40
# Shift patterns one roster model may choose from (lengths x start times): a 1-minute grid
# with four lengths is 5,760; more is a typo.
MAX_SHIFT_PATTERNS = 10_000
# Retries and repeats falling due at one simulated instant: beyond this, a scenario whose
# contacts abandon or end unresolved in zero time and come back after zero time is looping
# forever at that instant, and the run stops with a message.
MAX_FOLLOWUPS_AT_ONE_INSTANT = 100_000
# Coefficient of variation of the daily busyness factor (demand.daily_busyness.cv). Real
# desks show 0.1 to 0.3; at 10 a day a thousand times busier than usual is already a
# one-in-twenty-million event, and beyond it single days dwarf the rest of the run.
MAX_DAILY_BUSYNESS_CV = 10.0
# Located problems reported for one trace file before reading stops: a file of the wrong
# kind fails on every row, and one screenful says so.
MAX_TRACE_PROBLEMS = 10
# Characters in one line of a trace file: a real row is well under a hundred, and reading
# stops at a longer one rather than holding a file without line breaks in memory.
MAX_TRACE_LINE = 10_000
# Calendar months walked one by one when estimating a run's arrivals with month weights
# (workload.py): a thousand years; the rest of a longer run is estimated at the mean
# weight, which keeps the estimate instant whatever the horizon.
MAX_MONTHS_ESTIMATED = 12_000
# Raw waits held by an hour's contact cells that are finished but not yet folded into their
# day and hour (engine/recording.py): past this many (about 3 MB) they are folded at the
# next midnight rather than at the end of the week.
FOLD_PENDING_WAITS = 100_000
