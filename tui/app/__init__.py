"""The Textual front end: widgets -> a plan or a profile -> a worker running `tui.workflow` -> render.

Importing this package loads Textual; `tui.cli` imports it only when the bare `embedscout` opens the app.
"""

from tui.app.shell import EmbedscoutApp, run_app

__all__ = ["EmbedscoutApp", "run_app"]
