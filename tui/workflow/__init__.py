"""The use cases both front ends share: profile -> recommendation -> trials -> decision.

No Textual and no click in here (import-linter checks it), and nothing heavy at import: the CLI and the TUI
build a plan or a draft from their widgets or flags, call these functions, and only render what comes back.
"""
