"""`python -m tui` runs the same entry point as the `embedscout` script."""

from tui.cli import main

main()
