# Every target bootstraps its own virtual environment from nothing (python3 and the network
# to PyPI are all it needs). Pinned versions live in requirements.lock (`make lock` renews it).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

.PHONY: demo test lint audit bench lock venv clean format

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/inquest demo --out demo-output

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

# bandit over src and pip-audit over requirements.lock (docs/security/scanners.md).
audit: $(STAMP)
	$(PY) .ci/audit.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lock:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --all-extras pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
