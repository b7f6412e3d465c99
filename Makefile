# Every target sets up .venv on first use (and again when a requirements file changes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: notebooks test lab bench clean

$(INSTALLED): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt -e .
	touch $(INSTALLED)

## Execute every notebook in notebooks/ in order, in place, and print a table of results.
notebooks: $(INSTALLED)
	$(PY) scripts/run_notebooks.py

## The whole test suite (CI runs exactly this).
test: $(INSTALLED)
	$(PY) -m pytest -ra

## JupyterLab on the notebooks.
lab: $(INSTALLED)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

## Loading-time benchmark: prints its figures.
bench: $(INSTALLED)
	$(PY) benchmarks/load_time.py

## Remove the run records and checkpoints the notebooks wrote (keeps .venv).
clean:
	rm -rf results checkpoints runs
