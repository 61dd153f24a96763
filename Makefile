# Two entry points: `make run` and `make test`. Both create the virtual
# environment on first use and reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint bench soak catalogs clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

test: $(STAMP) lint
	$(PY) -m pytest -q -p no:cacheprovider -n auto $(PYTEST_ARGS)

# ruff's lint rules (pyproject.toml), its formatting and mypy (strict on bot/), as the
# pre-commit hooks run them.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The core's tests (domain, deadlines, terms, letters, storage, rate limits, catalogs and
# the layering rules), about 20 s: for the edit-test loop. `make test` is what CI runs.
FAST_TESTS := architecture deadlines i18n keyboards letters ratelimit storage validators \
	regions terms un letter_language inbox
test-fast: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -n auto $(FAST_TESTS:%=tests/test_%.py) $(PYTEST_ARGS)

# Speed and memory figures next to their targets (docs/benchmark.md); BENCH_ARGS=--quick
# for a run of about a minute. The bench package is not part of the installed bot.
bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# Families over real HTTP while the bot is killed and restarted (docs/soak.md); SOAK_ARGS
# e.g. --mode webhook, or --families 40 --kills 6 for about a minute per mode.
soak: $(STAMP)
	$(PY) -m bench.soak $(SOAK_ARGS)

# Re-extract messages and merge them into the three catalogs (see README).
catalogs: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k t -o locales/messages.pot --no-location --omit-header .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) build *.egg-info
