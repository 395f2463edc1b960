"""CI commands (check, validate, schema). Registered on the main app by ``register``.

They share the CLI's conventions: located ``file:line: key: message`` errors on stderr
and exit code 2 for bad input, so a pipeline can tell "your input is broken" (2) from
"your figures moved" (1).
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on any invocation, even --version, and a string annotation costs it a compile each
# (building them took ~45 ms instead of ~10 ms here). Types only helpers use are quoted.

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from simdesk.check_options import DEFAULT_ALPHA, TargetMode
from simdesk.cli.common import (
    EXIT_INPUT,
    ExecutorName,
    Scheduler,
    Width,
    Workers,
    cli_runner,
    fail,
    user_errors,
)
from simdesk.errors import SimdeskError

# The checks, the engine, pydantic and Rich's tables are imported when a command runs:
# Typer builds every command for any invocation, even --version.

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors' YAML language servers.

    Generated from the pydantic models, so it cannot drift from what ``load_scenario``
    accepts; rules that span sections (routes naming unknown pools, ...) are beyond JSON
    Schema and are left to ``simdesk validate``.
    """
    from simdesk.scenario import Scenario

    schema = Scenario.model_json_schema(mode="validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "simdesk scenario",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    @app.command()
    def check(
        scenarios: Annotated[
            list[Path],
            typer.Argument(
                help="Scenario files, or directories of *.yaml scenarios.", metavar="SCENARIO"
            ),
        ],
        baseline: Annotated[
            list[Path] | None,
            typer.Option(
                "--baseline",
                "-b",
                help="Baseline JSON for the scenario in the same position; repeat per scenario.",
            ),
        ] = None,
        baselines: Annotated[
            Path | None,
            typer.Option(
                "--baselines",
                help="Directory holding NAME.json for each scenario NAME.yaml.",
                show_default="baselines/ beside each scenario",
            ),
        ] = None,
        tolerance: Annotated[
            list[str] | None,
            typer.Option(
                "--tolerance",
                "-t",
                help="FIGURE=VALUE: allowed move of a figure's mean instead of the 95%-"
                "interval rule; 0.02 is absolute, 5% relative. FIGURE may be scoped: "
                "totals.wait_mean_s, pools.NAME.occupancy. Repeatable.",
            ),
        ] = None,
        figure: Annotated[
            list[str] | None,
            typer.Option(
                "--figure",
                "-f",
                help="Compare only these figures (same names as --tolerance). Repeatable.",
            ),
        ] = None,
        targets: Annotated[
            TargetMode,
            typer.Option(
                help="strict: any missed target fails; baseline: only targets the baseline "
                "met; off: report only.",
            ),
        ] = TargetMode.strict,
        alpha: Annotated[
            float,
            typer.Option(
                "--alpha",
                help="Chance that an unchanged desk fails the whole check by noise alone "
                "(Welch's test per figure, Holm's correction over all figures compared).",
            ),
        ] = DEFAULT_ALPHA,
        min_effect: Annotated[
            str | None,
            typer.Option(
                "--min-effect",
                help="Ignore moves smaller than this share of the baseline's mean, e.g. 2%; "
                "applies to figures judged by the test, not to --tolerance figures.",
                metavar="PERCENT",
            ),
        ] = None,
        json_path: Annotated[
            Path | None, typer.Option("--json", help="Also write the verdicts as JSON to PATH.")
        ] = None,
        update: Annotated[
            bool,
            typer.Option(
                "--update",
                help="Rewrite the baselines from the scenarios' own seed and replications "
                "(accept the current figures on purpose).",
            ),
        ] = False,
        workers: Workers = None,
        executor: ExecutorName = "local",
        scheduler: Scheduler = None,
        width: Width = None,
    ) -> None:
        """Run scenarios and compare them with baselines; exit 1 when a figure moved beyond
        noise or a target is missed, 2 for bad input."""
        from simdesk.check import (
            CheckResult,
            CheckRule,
            check_json,
            exit_code,
            pair_baselines,
            parse_alpha,
            parse_figure_key,
            parse_min_effect,
            parse_tolerances,
            run_checks,
        )
        from simdesk.outputs import check_outputs
        from simdesk.render import make_console
        from simdesk.render.check import render_checks
        from simdesk.report import dumps, write_output

        with user_errors():
            pairs = pair_baselines(scenarios, baseline or [], baselines)
            inputs = [p.scenario for p in pairs] + [p.baseline for p in pairs]
            check_outputs([("--json", json_path)], inputs)
            tolerances = parse_tolerances(tolerance or [])
            only = None if not figure else [parse_figure_key(f, "--figure") for f in figure]
            rule = CheckRule(
                alpha=parse_alpha(alpha),
                min_effect=None if min_effect is None else parse_min_effect(min_effect),
            )
            reported: set[int] = set()

            def early(r: CheckResult) -> None:
                reported.add(id(r))
                fail(r.problems)

            results = run_checks(
                pairs,
                tolerances=tolerances,
                only=only,
                targets=targets,
                update=update,
                runner=cli_runner(executor, workers, scheduler),
                rule=rule,
                on_problems=early,
            )
            for r in results:
                if id(r) not in reported:
                    fail(r.problems)
            render_checks(results, make_console(width=width), rule)
            code = exit_code(results)
            # Verdicts only for a completed check: with bad input (exit 2) some pairs were
            # never compared, and a verdict file would read as a partial pass.
            if json_path is not None and code != EXIT_INPUT:
                write_output(json_path, dumps(check_json(results, rule)))
            raise typer.Exit(code)

    @app.command()
    def validate(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="Scenario files, or directories of *.yaml scenarios.", metavar="FILE"
            ),
        ],
    ) -> None:
        """Check scenario files without running them (for pre-commit hooks): every error
        of every file, then exit 2 if any is invalid."""
        from simdesk.check import expand_scenarios
        from simdesk.loading import load_scenario
        from simdesk.render import make_console, print_message
        from simdesk.scenario import warnings_for

        with user_errors():
            paths = expand_scenarios(files)
        err = make_console(stderr=True)
        bad = 0
        for path in paths:
            try:
                scenario = load_scenario(path)
            except SimdeskError as exc:
                bad += 1
                fail(exc.problems)
                continue
            for w in warnings_for(scenario):
                print_message(err, "warning", f"{path}: {w}")
        if bad:
            err.print(f"{bad} of {len(paths)} scenario file(s) invalid", highlight=False)
            raise typer.Exit(EXIT_INPUT)
        typer.echo(f"OK: {len(paths)} scenario file(s) valid")

    @app.command()
    def schema(
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write to PATH instead of standard output."),
        ] = None,
    ) -> None:
        """Print the JSON Schema of the scenario format, for editor completion and checks."""
        from simdesk.report import write_output

        text = json.dumps(scenario_json_schema(), indent=2) + "\n"
        if output is None:
            typer.echo(text, nl=False)
            return
        with user_errors():
            write_output(output, text)
