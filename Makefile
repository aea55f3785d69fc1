# The two commands a newcomer needs: `make run` (install + open the assistant) and `make test`.
# Each creates its own venv and installs the CPU build of torch first, so no multi-GB CUDA wheel is pulled.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.embedscout-installed
TORCH ?= torch==2.13.0

.PHONY: install run demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[local,pdf,onnx,dev]"
	touch $(STAMP)

install: $(STAMP)

## Open the interactive assistant (Textual). Its trial step uses the built-in demo corpus when you give no folder.
run: install
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-0} $(BIN)/embedscout

## The same job, headless: recommend on a default profile, then trial BM25 vs the packaged MiniLM on the demo corpus.
demo: install
	$(BIN)/embedscout recommend --language en --domain general --doc-tokens 400 --budget open --hardware cpu --top 5
	HF_HUB_OFFLINE=1 $(BIN)/embedscout trial --demo --model bm25 --model minilm

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -n auto -q

lint: install
	$(BIN)/ruff check catalog evaluators storage tui tests bench
	$(BIN)/lint-imports

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pip install -q -e ".[bench]"
	HF_HUB_OFFLINE=1 $(BIN)/python bench/bench_backends.py

clean:
	rm -rf $(VENV) build dist *.egg-info
