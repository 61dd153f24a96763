# Two entry points: `make run` and `make test`. Both create the virtual
# environment on first use and reinstall only when pyproject.toml or the lock changes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements/test.txt
UV     := uv==0.13.8

.PHONY: run test test-fast lint lock bench soak catalogs fonts clean

# Exactly the versions and files of the lock (pip refuses any other hash), then the
# project itself without dependencies, built by the locked setuptools.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

# One test worker more than CPUs: several journeys spend seconds waiting (Telegram's pace
# of one message a second per chat, a bot process they start, stop or kill), and the extra
# worker runs other tests meanwhile (the whole suite 163 s instead of 177-186 s on 2 CPUs).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: $(STAMP) lint
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

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

# The common cut of the letters' fonts (bot/letters/common_font.py), after replacing them.
fonts: $(STAMP)
	$(PY) -m bot.letters.common_font

# Re-extract messages and merge them into the three catalogs (see README).
catalogs: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k t -o locales/messages.pot --no-location --omit-header .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete

# Re-resolve the lock from pyproject.toml (kept versions stay unless LOCK_ARGS=--upgrade):
# requirements/test.txt for this environment, requirements/run.txt (the same versions,
# without the test tools) for installing the bot on a server. Every file of every
# version is hashed, for every platform and Python >= 3.11, from PyPI.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(UV)
	$(VENV)/bin/uv pip compile pyproject.toml --extra test -o requirements/test.txt \
		$(LOCK_FLAGS) $(LOCK_ARGS)
	$(VENV)/bin/uv pip compile pyproject.toml -c requirements/test.txt -o requirements/run.txt \
		$(LOCK_FLAGS)
LOCK_FLAGS = --generate-hashes --universal --python-version 3.11 --quiet \
	--default-index https://pypi.org/simple --custom-compile-command 'make lock'

clean:
	rm -rf $(VENV) build *.egg-info
