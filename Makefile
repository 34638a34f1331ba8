# The two quick-start commands: `make demo` and `make test`.
# Both create ./.venv and install flexemp into it on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint check-size docs-cli clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,spark]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/flexemp demo

test: $(VENV)/.installed
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) tools/check_module_size.py
	$(PY) tools/gen_cli_docs.py --check
	$(VENV)/bin/mypy

docs-cli: $(VENV)/.installed
	$(PY) tools/gen_cli_docs.py

clean:
	rm -rf $(VENV) flexemp-demo .pytest_cache
