"""Start-up stays light: the CLI and the pure packages load no torch, transformers or Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "sentence_transformers", "textual", "ranx", "onnxruntime")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {m for m in out.stdout.strip().splitlines()[-1].split(",") if m} if out.stdout.strip() else set()


def test_cli_help_of_every_command_loads_nothing_heavy() -> None:
    """`embedscout --help` and each subcommand's --help build their parsers without heavy imports."""
    code = (
        "import contextlib, io, click\n"
        "from tui.cli import main\n"
        "ctx = click.Context(main)\n"
        "names = main.list_commands(ctx)\n"
        "for args in [['--help']] + [[n, '--help'] for n in names]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main.main(args, standalone_mode=False)\n"
    )
    assert _loaded_after(code) == set()


@pytest.mark.parametrize("module", ["catalog", "evaluators.types", "storage.paths", "tui.cli"])
def test_import_leaves_heavy_modules_unloaded(module: str) -> None:
    assert _loaded_after(f"import {module}") == set()


def test_top_level_help_imports_no_command_module() -> None:
    """The command list comes from the registry's help text; no command module (sqlite-utils, rich) loads."""
    code = (
        "import contextlib, io, sys\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main.main(['--help'], standalone_mode=False)\n"
        "print(','.join(m for m in sys.modules if m.startswith('tui.cli.cmd_') or m == 'sqlite_utils'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_registered_command_resolves() -> None:
    import click

    from tui.cli import LAZY_COMMANDS, main

    ctx = click.Context(main)
    for name in LAZY_COMMANDS:
        assert isinstance(main.get_command(ctx, name), click.Command), name
