#!/usr/bin/env bash
# Start the assistant in a real terminal (tmux), walk the questions with send-keys, and print the screen
# after each step with capture-pane, so anyone can watch it run without a TTY of their own.
#
#   scripts/tui_tmux_demo.sh            # uses .venv/bin/python, a temporary EMBEDSCOUT_HOME, 100x30
#   KEEP=1 scripts/tui_tmux_demo.sh     # leave the tmux session running afterwards (tmux attach -t embedscout-demo)
#   OUT=/tmp/screens scripts/tui_tmux_demo.sh   # also save each capture as a text file there
#
# Needs tmux (apt-get install -y tmux). Runs offline: the trial runs bm25 and the packaged MiniLM on the
# built-in demo corpus.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
SESSION="${SESSION:-embedscout-demo}"
WIDTH="${WIDTH:-100}"
HEIGHT="${HEIGHT:-30}"
OUT="${OUT:-}"
HOME_DIR="${EMBEDSCOUT_HOME:-$(mktemp -d)}"

command -v tmux >/dev/null || { echo "tmux is not installed (apt-get install -y tmux)" >&2; exit 1; }
[ -n "$OUT" ] && mkdir -p "$OUT"

cleanup() {
    if [ -z "${KEEP:-}" ]; then tmux kill-session -t "$SESSION" 2>/dev/null || true; fi
}
trap cleanup EXIT

step=0
show() {  # show TITLE: print the current screen under a heading (and save it when OUT is set)
    step=$((step + 1))
    sleep "${PAUSE:-1}"
    printf '\n===== %02d %s =====\n' "$step" "$1"
    tmux capture-pane -p -t "$SESSION" | tee ${OUT:+"$OUT/$(printf %02d "$step")-${1// /-}.txt"}
}
keys() { tmux send-keys -t "$SESSION" "$@"; }
wait_for() {  # wait_for TEXT [SECONDS]: poll the pane until TEXT appears
    local deadline=$((SECONDS + ${2:-30}))
    until tmux capture-pane -p -t "$SESSION" | grep -qF -- "$1"; do
        if [ "$SECONDS" -ge "$deadline" ]; then echo "timed out waiting for: $1" >&2; return 1; fi
        sleep 0.2
    done
}

tmux kill-session -t "$SESSION" 2>/dev/null || true
tmux new-session -d -s "$SESSION" -x "$WIDTH" -y "$HEIGHT" \
    "cd '$ROOT' && EMBEDSCOUT_HOME='$HOME_DIR' HF_HUB_OFFLINE=1 TERM=xterm-256color '$PY' -m tui"
wait_for "Question 1 of 7"
show "languages"

keys C-n; wait_for "Question 2 of 7"; keys Down Enter; show "domain legal"
keys C-n; wait_for "Question 3 of 7"; keys C-a C-k 1200; show "document length"
keys C-n; wait_for "Question 4 of 7"; keys C-a C-k 50000; show "corpus size"
keys C-n; wait_for "Question 5 of 7"; show "budget"
keys C-n; wait_for "Question 6 of 7"; show "hardware (detected)"
keys C-n; wait_for "Question 7 of 7"; keys Down Enter; show "licence"
keys C-n; wait_for "ranked"; show "shortlist"
keys x; sleep 1; show "excluded"
keys c; sleep 1; keys /; sleep 0.5; keys -l minilm-l6; wait_for "all-MiniLM-L6-v2"
keys Enter; sleep 0.5; keys Down Space; show "MiniLM ticked next to BM25"
keys t; wait_for "Documents"; show "trial form"
keys C-r; sleep 2; show "trial running"
wait_for "Done" 300; show "trial results (bm25 + MiniLM on the demo)"
keys F5; wait_for "Chosen model"; sleep 0.5
keys Tab Tab; sleep 0.3; keys -l "Chosen in the tmux demo: best nDCG@10 on the demo set."; show "decide"
keys C-s; wait_for "Saved as decision"; show "decision saved"
keys F6; wait_for "decision(s)"; wait_for "Questions and answers" 30; show "history"
keys C-t; show "light theme"
keys C-q
echo
echo "tmux demo finished (EMBEDSCOUT_HOME=$HOME_DIR)"
