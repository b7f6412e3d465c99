# Every target sets up .venv on first use (and again when a requirements file changes). The notebooks'
# targets install requirements.txt, the runtime environment; the tests', the linter's, the benchmarks'
# and the book's add requirements-dev.txt.
# Works on Linux and macOS with GNU Make and Python 3.11-3.13; on Windows, use WSL (or pip: README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed
DEV := $(VENV)/.installed-dev
# JupyterLab settings for this project's JupyterLab (the environment's, not yours): no news pop-up.
LAB_OVERRIDES := jupyter/overrides.json
# The Python versions for which every pinned package (TensorFlow 2.21, NumPy 2.4) has wheels.
SUPPORTED_PYTHONS := 3.11 3.12 3.13

.PHONY: check-text notebooks test test-fast lint format book book-serve book-pad-picture lock lab tensorboard sweep seed-spreads drawn-digits bench clean

$(RUNTIME): requirements.txt pyproject.toml $(LAB_OVERRIDES)
	@version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	if [ -z "$$version" ]; then \
	  echo "'$(PYTHON)' is not a Python interpreter this Makefile can run. Install Python 3.12 (or 3.11, 3.13)"; \
	  echo "and run: make PYTHON=python3.12 $(MAKECMDGOALS)"; exit 1; \
	fi; \
	case " $(SUPPORTED_PYTHONS) " in *" $$version "*) ;; *) \
	  echo "'$(PYTHON)' is Python $$version, but this project needs Python 3.11, 3.12 or 3.13:"; \
	  echo "TensorFlow 2.21 and NumPy 2.4 have no packages for $$version. Install Python 3.12 and run:"; \
	  echo "  make PYTHON=python3.12 $(MAKECMDGOALS)"; exit 1;; \
	esac
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp $(LAB_OVERRIDES) $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(DEV)

## Execute every notebook in run order, in place, and print the README's table of results.
## Some of them: make notebooks ARGS="03 04".
notebooks: $(RUNTIME)
	$(VENV)/bin/mnist-notebooks $(ARGS)

## The whole test suite, after the linter (CI runs exactly this).
test: lint
	$(PY) -m pytest -ra

## Every test but the slow ones (part two's notebooks, the exercises' runs, the benchmarks, the fresh environment) and the browser tests: the quick inner loop.
test-fast: lint
	$(PY) -m pytest -ra -m "not slow and not browser"

## ruff on the package, the tests, the benchmarks and the notebooks' code, and the formatter's check (configured in pyproject.toml).
lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Format the package, the tests and the benchmarks (the notebooks keep their own layout).
format: $(DEV)
	$(VENV)/bin/ruff format .

## The series as a website (Sphinx, myst-nb) of the executed notebooks, in build/book/; never re-executes them.
book: $(DEV)
	$(VENV)/bin/mnist-book

## Build the book, then serve it at http://127.0.0.1:8000/ (BOOK_PORT=... for another port).
BOOK_PORT ?= 8000
book-serve: $(DEV)
	$(VENV)/bin/mnist-book --serve --port $(BOOK_PORT)

## The picture of the drawing pad that the book shows in its place (book/draw_pad.png, committed): notebook 13
## run in JupyterLab in Chromium, on the networks of notebooks 1-4, 8 and 10 (run them first: make notebooks).
book-pad-picture: $(DEV)
	$(VENV)/bin/mnist-book --pad-picture

## Compile requirements.txt (the runtime environment, every package pinned) from requirements.in, then
## requirements-dev.txt (the development environment: the same versions, plus the tools) from both .in
## files, for Python 3.11-3.13 on every platform, keeping the versions already pinned where they can be.
## Run it after changing an .in file; `make` then installs the new pins.
lock: $(DEV)
	$(VENV)/bin/uv pip compile --universal --python-version 3.11 --custom-compile-command "make lock" \
	  --quiet requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile --universal --python-version 3.11 --custom-compile-command "make lock" \
	  --quiet requirements.in requirements-dev.in -c requirements.txt -o requirements-dev.txt

## JupyterLab on the notebooks. No news pop-up: the environment's settings (jupyter/overrides.json,
## installed into .venv) answer JupyterLab's question, and no update check.
lab: $(RUNTIME)
	$(VENV)/bin/jupyter lab notebooks/ --LabApp.news_url= \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## TensorBoard on the logs the notebooks write (runs/tensorboard/), on this machine only.
TENSORBOARD_PORT ?= 6006
tensorboard: $(RUNTIME)
	@mkdir -p runs/tensorboard
	@echo "TensorBoard: open http://127.0.0.1:$(TENSORBOARD_PORT)/ in a browser (Ctrl-C here stops it)."
	$(VENV)/bin/tensorboard --logdir runs/tensorboard --host 127.0.0.1 --port $(TENSORBOARD_PORT)

## A parameter sweep, e.g. make sweep ARGS="01 learning_rate=0.1,0.5 --seeds 3" (mnist-sweep --help).
sweep: $(RUNTIME)
	$(VENV)/bin/mnist-sweep $(ARGS)

## Re-run every notebook with seed 2 (or ARGS="--scale learning_rate=0.5") in a temporary folder and report
## every number or verdict the text states that the run does not bear out; run it before committing notebooks.
check-text: $(RUNTIME)
	$(VENV)/bin/mnist-check-text $(ARGS)

## Each training notebook over seeds 1-5: writes notebooks/seed_spreads.json, which the notebooks quote.
seed-spreads: $(RUNTIME)
	$(VENV)/bin/mnist-seed-spreads $(ARGS)

## The drawn sets (drawn_digits/drawn_digits.npz, drawn_writers/drawn_writers.npz), drawn again from their
## seeds: each unchanged unless its recipe (mnist_tutorial/drawn_digits.py, drawn_writers.py) changed.
drawn-digits: $(RUNTIME)
	$(VENV)/bin/mnist-drawn-digits

## Benchmarks (they print their figures): loading the data, the training loops against tf.data and
## Keras, what writing TensorBoard logs costs, oneDNN, the sweeps' Dask engine against a thread pool,
## augmented batches in NumPy against TensorFlow's image op, and the convolutional notebooks against
## part two's time budgets. Rewrites benchmarks/RESULTS.md (the README links to it) with their figures,
## the date and the machine, once all of them have run.
bench: $(DEV)
	$(PY) benchmarks/record.py

## Remove the run records and checkpoints the notebooks wrote (keeps .venv).
clean:
	rm -rf results checkpoints runs build
