"""The command line: ``simdesk`` (the console script) and ``python -m simdesk``.

``root`` holds the Typer app; each family of commands has its own module, registered by
``root``. ``main`` answers a bare ``simdesk --version`` itself, before importing Typer
(most of that command's time otherwise, bench/startup.py): the same line as the app's
``--version`` (``simdesk.version_line``). Everything else goes to the app.
"""

import sys
from typing import Any


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from simdesk import version_line

        print(version_line())
        return
    from simdesk.cli.root import main as app_main

    app_main()


def __getattr__(name: str) -> Any:
    # ``app`` on first use: ``from simdesk.cli import main`` imports no Typer.
    if name == "app":
        from simdesk.cli.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
