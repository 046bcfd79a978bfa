# Two commands on a fresh clone:  `make demo` (demo run + viewer; `make demo PORT=9000` for another
# port)  and  `make test` (lint, then the whole suite).
PYTHON ?= python3
PORT   ?= 8000
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: demo test lint bench install clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

install: $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) hatch_build.py  # the web UI, with progress (pip would hide the build's output)
	$(PY) -m pip install -q -e '.[images]'

demo: install  # open the URL the viewer prints (it carries the viewer's token)
	$(PY) scripts/demo_train.py --storage .runicorn
	$(VENV)/bin/runicorn viewer --storage .runicorn --port $(PORT)

test: $(VENV)/bin/python
	bash scripts/test_setup.sh
	bash scripts/lint.sh
	$(PY) -m pytest

lint:
	bash scripts/lint.sh

bench:
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) build dist runicorn/web_dist test-artifacts
