"""The command line: ``simdesk`` (the console script) and ``python -m simdesk``.

``root`` holds the Typer app and ``main``; each family of commands has its own module,
registered by ``root``.
"""

from simdesk.cli.root import app, main

__all__ = ["app", "main"]
