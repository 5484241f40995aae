# baby_room — the front door. `make help` lists the targets.
# The environment (.venv) is created on first use and installed from requirements.lock,
# so every build uses the same package versions.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
DATA   ?=
OUT    ?= reports

.DEFAULT_GOAL := help
.PHONY: help env report test bench lint synth codebook lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

env: $(STAMP) ## create .venv and install the locked dependencies

report: $(STAMP) ## build reports/ from the bundled synthetic data (or DATA=folder)
	$(BIN)/baby-room report $(if $(DATA),--data $(DATA)) --out $(OUT)

test: $(STAMP) ## run the whole test suite (unit tests, doctests, notebooks)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: $(STAMP) ## run the benchmarks; writes benchmarks/latest.csv
	$(BIN)/python benchmarks/run.py

lint: $(STAMP) ## ruff
	$(BIN)/ruff check baby_room tests benchmarks

synth: $(STAMP) ## regenerate data/synthetic (byte-identical)
	$(BIN)/baby-room synth --out data/synthetic

codebook: $(STAMP) ## regenerate data/README.md from the codebook
	$(BIN)/baby-room codebook --out data/README.md

lock: ## re-resolve requirements.lock from pyproject.toml (needs network)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^baby.room' > requirements.lock
	rm -rf .lock-venv

clean: ## remove built reports and caches (keeps .venv)
	rm -rf reports/* .report-cache .pytest_cache
