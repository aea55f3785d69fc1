"""Domain values as words and table cells, for every front end: the CLI's rich tables, the TUI's tables and
panes, and the Markdown report. Pure functions over plain values (no Textual, no click, no rich markup), so
a trial row, a profile or a decision reads the same wherever it is shown.
"""
