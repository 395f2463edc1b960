"""The choices of ``simdesk check`` that its command line declares: how missed targets
count, and the default family-wise alpha.

Apart from check.py because Typer reads every command's signature on any invocation, even
``--version``; check.py imports the simulation, this module nothing.
"""

from __future__ import annotations

from enum import StrEnum


class TargetMode(StrEnum):
    """How missed scenario targets count.

    ``strict`` fails on every missed target. ``baseline`` fails only on a target the
    baseline met (or does not record): for scenarios whose target is missed on purpose,
    such as a textbook queue shown missing the 80/20 convention. ``off`` only reports.
    """

    strict = "strict"
    baseline = "baseline"
    off = "off"


DEFAULT_ALPHA = 0.01
