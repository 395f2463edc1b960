"""Unknown command-line options: suggest the option the user most likely meant.

click suggests by difflib's ratio over every long option, ``--help`` included, so
``simdesk run --html`` is answered with "Possible options: --help". Here every command
(and the main group) uses the same edit-distance rule as the scenario loader's unknown
keys (``simdesk.suggest``): a close option is named ("Did you mean --json?"); otherwise
the command's options are listed. Only this message changes; parsing is click's own.
"""

from __future__ import annotations

from typing import Any

import typer
from typer._click.exceptions import NoSuchOption
from typer.core import TyperCommand, TyperGroup

from simdesk.suggest import closest

__all__ = ["SuggestingCommand", "SuggestingGroup", "use_suggestions"]


def _long_options(command: Any) -> list[str]:
    """The command's long option names, in declaration order, without ``--help``."""
    names: list[str] = []
    for param in getattr(command, "params", []):
        for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
            if opt.startswith("--") and opt != "--help":
                names.append(opt)
    return list(dict.fromkeys(names))


def _reword(exc: NoSuchOption, command: Any) -> None:
    options = _long_options(command)
    name = exc.option_name
    if not name.startswith("--"):
        return
    match = closest(name[2:], [o[2:] for o in options])
    exc.possibilities = None
    if match is not None:
        exc.message = f"No such option: {name}. Did you mean --{match}?"
    elif options:
        exc.message = f"No such option: {name}. The options are: {', '.join(options)}"


class SuggestingCommand(TyperCommand):
    """A Typer command whose unknown-option message names the close option."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as exc:
            _reword(exc, self)
            raise


class SuggestingGroup(TyperGroup):
    """The main group, with the same unknown-option message as its commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as exc:
            _reword(exc, self)
            raise


def use_suggestions(app: typer.Typer) -> None:
    """Give every command registered so far (and the group) the suggesting classes."""
    for info in app.registered_commands:
        if info.cls is None or info.cls is TyperCommand:
            info.cls = SuggestingCommand
    app.info.cls = SuggestingGroup
