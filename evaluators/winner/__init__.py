"""Winner stability: would the best model stay best with other queries, or with the whole corpus?

`model` holds the stored record (no numpy), `projection` the document-sample projection, `assess` the one
function a trial calls, `text` the lines the CLI, TUI and report print. See docs/stability.md.
"""
