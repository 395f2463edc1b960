"""Defaults of the scenario format that the command line also declares.

Apart from scenario.py (pydantic, numpy) because Typer reads every command's defaults on
any invocation, even ``--version``; this module imports nothing. scenario.py re-exports
them.
"""

from __future__ import annotations

DEFAULT_SL_WITHIN = 20.0
"""Service-level threshold (seconds) when the scenario sets no service-level target: the
engine counts answers within it, and the report, tables and Erlang reference use it too."""
