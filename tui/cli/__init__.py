"""The `embedscout` command: a click group whose subcommands load lazily; with no command, the TUI opens.

Each command parses its flags, builds a plan or a profile, calls `tui.workflow` and renders what comes back.
Command modules (`tui/cli/cmd_*.py`) are imported only when named (or when --help lists them), so
`embedscout history` never pays for Textual, and nothing here imports torch. Every error a user can fix is
printed here, once: one line, exit 2 for a malformed request, 1 otherwise.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, NoReturn

import click

from tui.workflow.errors import user_error
from tui.workflow.services import Services

# name -> (module, attribute, one-line help). The help text lives here so that `embedscout --help` lists
# every command without importing any command module (some pull in sqlite-utils or rich).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "recommend": ("tui.cli.cmd_recommend", "recommend", "Rank the catalog for your needs and explain why."),
    "catalog": ("tui.cli.cmd_catalog", "catalog", "Browse the curated catalog; refresh its scores."),
    "trial": ("tui.cli.cmd_trial", "trial", "Measure models on your documents (or the demo)."),
    "check": ("tui.cli.cmd_check", "check", "Check tokenizer fit, cross-lingual, stability, neighbours."),
    "export-task": ("tui.cli.cmd_scale", "export_task", "Write a trial as an mteb task for a GPU box."),
    "import-results": ("tui.cli.cmd_scale", "import_results", "Import that mteb run's results as a trial."),
    "history": ("tui.cli.cmd_journal", "history", "List past decisions, newest first."),
    "show": ("tui.cli.cmd_journal", "show", "Show one decision: requirements, shortlist, trials, choice."),
    "diff": ("tui.cli.cmd_journal", "diff", "Compare two decisions side by side."),
    "decide": ("tui.cli.cmd_journal", "decide", "Record the chosen model and your rationale."),
    "recheck": ("tui.cli.cmd_journal", "recheck", "Re-rank a decision on the current catalog."),
    "export": ("tui.cli.cmd_journal", "export", "Export a decision as Markdown or JSON."),
    "use": ("tui.cli.cmd_use", "use", "Print ready-to-paste code for a decision's chosen model."),
    "import": ("tui.cli.cmd_journal", "import_", "Import a decision exported as JSON."),
    "delete": ("tui.cli.cmd_journal", "delete", "Delete a decision (asks first)."),
    "doctor": ("tui.cli.cmd_doctor", "doctor", "Show detected hardware, paths and installed backends."),
    "path": ("tui.cli.cmd_doctor", "path", "Print the data, config and cache folders and the DB."),
}


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"embedscout: error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def services(ctx: click.Context) -> Services:
    """The Services of this invocation: what a test passed as `obj`, else the real ones."""
    root = ctx.find_root()
    if not isinstance(root.obj, Services):
        root.obj = Services()
    return root.obj


class EmbedscoutGroup(click.Group):
    """Lazy subcommands plus one-line errors (`embedscout: error: ...`, exit 2 for usage errors)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = set(super().list_commands(ctx))
        lazy = {n for n, (mod, _, _) in LAZY_COMMANDS.items() if importlib.util.find_spec(mod) is not None}
        return [*sorted(eager), *(n for n in LAZY_COMMANDS if n in lazy and n not in eager)]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from the registry's help text, so the top-level --help imports none of them."""
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS:
                rows.append((name, LAZY_COMMANDS[name][2]))
            else:
                cmd = super().get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        module_name, attr, _ = LAZY_COMMANDS[cmd_name]
        if importlib.util.find_spec(module_name) is None:
            return None
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.exceptions.Abort:
            click.echo("embedscout: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(exc.format_message() + hint, exc.exit_code)
        except Exception as exc:
            known = user_error(exc)
            if known is None:
                raise
            hint = _help_hint(args[0] if args else sys.argv[1:]) if known.usage and not known.hint else ""
            _fail(str(known) + hint, 2 if known.usage else 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _help_hint(argv: Any) -> str:
    """ " (see 'embedscout CMD --help')" for the subcommand in argv: a usage error found after parsing."""
    name = next((a for a in argv or () if isinstance(a, str) and a in LAZY_COMMANDS), None)
    return f" (see 'embedscout {name} --help')" if name else " (see 'embedscout --help')"


@click.group(cls=EmbedscoutGroup, invoke_without_command=True)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    envvar="EMBEDSCOUT_DB",
    help="Decision journal file (default: EMBEDSCOUT_DB, else the platform's user data dir).",
)
@click.version_option(package_name="embedscout")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Choose a text-embedding model for your RAG system, prove it on your documents, remember why.

    With no command, opens the interactive assistant. Typical headless flow:

    \b
      embedscout recommend --language en --domain legal --doc-tokens 3000 --budget open
      embedscout trial --demo --model bm25 --model minilm
      embedscout history
    """
    if db:
        # One process-wide setting: every storage call resolves the path through storage.paths.db_path().
        os.environ["EMBEDSCOUT_DB"] = db
    if ctx.invoked_subcommand is None:
        from tui.app import run_app  # Textual loads only on this path

        run_app(services(ctx))
