"""The `embedscout` command: a click group whose subcommands load lazily; with no command it opens the TUI.

Subcommand modules live in `tui/commands/` and are imported only when named (or when --help lists them), so
`embedscout history` never pays for Textual, and nothing here imports torch. Usage errors are one line, exit 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

# name -> (module, attribute). A module that does not exist yet is left out of the listing.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "recommend": ("tui.commands.recommend", "recommend"),
    "catalog": ("tui.commands.catalog_cmd", "catalog"),
    "doctor": ("tui.commands.doctor", "doctor"),
    "path": ("tui.commands.doctor", "path"),
    "trial": ("tui.commands.trial", "trial"),
    "history": ("tui.commands.journal", "history"),
    "show": ("tui.commands.journal", "show"),
    "diff": ("tui.commands.journal", "diff"),
    "decide": ("tui.commands.journal", "decide"),
    "export": ("tui.commands.journal", "export"),
    "import": ("tui.commands.journal", "import_"),
    "delete": ("tui.commands.journal", "delete"),
    "recheck": ("tui.commands.journal", "recheck"),
    "check": ("tui.commands.check", "check"),
}


class EmbedscoutGroup(click.Group):
    """Lazy subcommands plus one-line errors (`embedscout: error: ...`, exit 2 for usage errors)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = set(super().list_commands(ctx))
        lazy = {n for n, (mod, _) in LAZY_COMMANDS.items() if importlib.util.find_spec(mod) is not None}
        return sorted(eager | lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        module_name, attr = LAZY_COMMANDS[cmd_name]
        if importlib.util.find_spec(module_name) is None:
            return None
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("embedscout: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            message = " ".join(exc.format_message().split())
            click.echo(f"embedscout: error: {message}{hint}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)


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

        run_app()
