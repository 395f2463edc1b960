"""simdesk: a support-desk simulator for bots, vendor and in-house agents."""

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

__version__ = "0.1.0"


def engine_kind() -> str:
    """"compiled" when the engine was built with mypyc (setup.py), else "pure Python".

    Read off the files, not by importing the engine, so ``--version`` stays cheap: a
    compiled module sits beside its source and Python imports it first."""
    engine = Path(__file__).parent / "engine"
    compiled = any((engine / ("loop" + suffix)).exists() for suffix in EXTENSION_SUFFIXES)
    return "compiled" if compiled else "pure Python"


def version_line() -> str:
    """What ``simdesk --version`` prints: the version and which engine is installed."""
    return f"simdesk {__version__} ({engine_kind()} engine)"
