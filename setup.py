"""The build: pure Python by default; ``SIMDESK_COMPILE=1`` compiles the engine with mypyc.

    pip install -e '.[dev]'                 # development: pure Python, edits take effect
    SIMDESK_COMPILE=1 pip install .         # the compiled engine (needs a C compiler)

Why mypyc: the engine is plain typed Python, and mypyc turns exactly such code into a C
extension without a second language or a second copy of the rules; the modules stay the
source of truth and run unchanged as Python. The compiled engine gives the same results
bit for bit (the baselines check and the test suite run against it in ``.ci/run``) and
runs the full desk about 1.7x faster (README, "Performance").

Everything else here lives in pyproject.toml; setuptools reads ``setup_requires`` to
tell pip what the build needs, so mypy is fetched only when the engine is compiled. mypyc
type-checks the engine as mypy does (pyproject.toml's settings, with the pydantic
plugin), so the build also needs the packages the engine's types come from: the
project's own dependencies.
"""

import os
import sys
import tomllib
from pathlib import Path

from setuptools import setup

MYPY = "mypy==2.4.1"  # the mypyc the compiled engine is tested with (.ci/run)
ENGINE = Path("simdesk") / "engine"

ext_modules = []
setup_requires = []
if os.environ.get("SIMDESK_COMPILE") == "1":
    if "editable_wheel" in sys.argv:
        # The compiled modules would sit in the source tree and shadow its .py files:
        # edits would silently change nothing.
        sys.exit(
            "SIMDESK_COMPILE=1 is for a regular install ('pip install .'), not an editable "
            "one ('pip install -e .'): in the source tree the compiled engine would hide "
            "every later edit of simdesk/engine/*.py"
        )
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    setup_requires = [MYPY, "types-PyYAML", *project["dependencies"]]
    try:
        from mypyc.build import mypycify
    except ImportError:  # pip is asking what the build needs: mypy is not there yet
        pass
    else:
        # The engine and its cells (simdesk/cells.py: a contact adds to them several times).
        modules = [p for p in ENGINE.glob("*.py") if p.name != "__init__.py"]
        ext_modules = mypycify(
            sorted(str(p) for p in [*modules, ENGINE.parent / "cells.py"]), opt_level="3"
        )

setup(ext_modules=ext_modules, setup_requires=setup_requires)
