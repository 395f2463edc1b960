"""The command line's modules depend one way (docs/architecture.md): ``root`` registers the
command modules, they share ``common``, and ``common`` imports nothing from the CLI. A
module importing its caller (as ``checking_cli`` once imported ``cli``) fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import simdesk.cli

CLI = Path(simdesk.cli.__file__).parent
COMMANDS = {"experiments", "checking", "optimize", "staffing"}


def cli_imports(module: str) -> set[str]:
    """The ``simdesk.cli`` modules that ``module`` imports, anywhere in its text."""
    tree = ast.parse((CLI / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "simdesk.cli":
                found.update(a.name for a in node.names)
            elif node.module.startswith("simdesk.cli."):
                found.add(node.module.removeprefix("simdesk.cli."))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("simdesk.cli."):
                    found.add(a.name.removeprefix("simdesk.cli."))
    return found


def test_the_package_holds_the_modules_the_layout_names() -> None:
    names = {p.stem for p in CLI.glob("*.py")}
    assert names == {"__init__", "root", "common", "suggest", *COMMANDS}


def test_common_is_a_leaf() -> None:
    assert cli_imports("common") == set()


def test_command_modules_import_only_the_shared_leaf() -> None:
    for module in [*COMMANDS, "suggest"]:
        assert cli_imports(module) <= {"common"}, module


def test_only_root_registers_the_command_modules() -> None:
    assert cli_imports("root") == {*COMMANDS, "suggest", "common"}
    assert cli_imports("__init__") == {"root"}
