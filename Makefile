# The two commands of the README: `make up` runs the platform, `make test` runs every check.
# Both create or update the virtualenv first, so a fresh clone needs only Python 3.11+.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up test install lint typecheck clean

up: $(STAMP)
	$(BIN)/nextbuy up

test: $(STAMP)
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

install: $(STAMP)

# Reinstall whenever pyproject.toml changes. uv is an order of magnitude faster than pip at
# this; pip is the fallback so that an index uv cannot read still works.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nextbuy needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip uv 2>/dev/null || true
	@if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[all,dev]'; \
	else \
		$(BIN)/python -m pip install --quiet -e '.[all,dev]'; \
	fi
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
