# The course's two commands:  `make lab`  (JupyterLab on the notebooks)  and  `make test`.
# Everything is installed into .venv/ and everything the tools write goes under build/
# and data/ (both git-ignored), never into your home directory.

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
BUILD   := $(CURDIR)/build

# The pinned, tested versions for the interpreter the venv is made from.
PYVER   := $(shell $(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')
LOCK    := requirements/py$(PYVER).txt

# Keep Jupyter, IPython, matplotlib, numba and pip state inside the repo.
export JUPYTER_CONFIG_DIR  := $(BUILD)/jupyter/config
export JUPYTER_DATA_DIR    := $(BUILD)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(BUILD)/jupyter/runtime
export JUPYTER_PLATFORM_DIRS := 1
export IPYTHONDIR          := $(BUILD)/ipython
export MPLCONFIGDIR        := $(BUILD)/matplotlib
export NUMBA_CACHE_DIR     := $(BUILD)/numba
export XDG_CACHE_HOME      := $(BUILD)/xdg/cache
export XDG_CONFIG_HOME     := $(BUILD)/xdg/config
export XDG_DATA_HOME       := $(BUILD)/xdg/data
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
JUPYTER_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?= --ip=127.0.0.1

.PHONY: help setup lab course test browser-test demo warm clean distclean

help:
	@echo "make lab     set up (first time: a few minutes) and open the course in JupyterLab"
	@echo "make test    set up if needed and run the whole test suite"
	@echo "make browser-test  only the real-browser test of the course (needs /usr/bin/chromium)"
	@echo "make course  set up, execute every notebook headless, HTML copies in build/course/"
	@echo "make demo    (re)generate the built-in demo data set in data/demo/"

# numba's cache is per Python version, so each interpreter's venv is warmed once.
WARM    := $(BUILD)/.warm-py$(PYVER)

# The demo set lives where helpers looks for data: $$HELPERS_DATA_DIR (e.g. a class's shared copy) or data/.
DEMO_MARKER := $(or $(HELPERS_DATA_DIR),data)/demo/.complete

setup: $(VENV)/.installed $(LAB_SETTINGS) $(DEMO_MARKER) $(WARM)

$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -f "$(LOCK)" || { echo "No pinned versions for Python $(PYVER) ($(LOCK)); use Python 3.11 or 3.12, e.g. make PYTHON=python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $@

# Start the default kernel without the kernel-picker dialog.
$(LAB_SETTINGS): etc/jupyterlab-overrides.json $(VENV)/.installed
	mkdir -p $(dir $@)
	cp $< $@

$(DEMO_MARKER): $(wildcard helpers/synth/*.py) $(VENV)/.installed
	$(PY) -m helpers demo
	-@touch $@ 2>/dev/null

demo:
	$(PY) -m helpers demo --force

# Compile librosa's numba functions once, into build/numba, so no learner waits 20-50 s.
$(WARM): $(VENV)/.installed
	$(PY) -m helpers warm
	touch $@

warm: $(WARM)

lab: setup
	cd notebooks && ../$(VENV)/bin/jupyter lab $(JUPYTER_ROOT_FLAG) $(LAB_ARGS)

# COURSE_ARGS=--with-solutions: the same with the reference solutions filled in (a teacher's key).
course: setup
	$(PY) -m helpers course --out-dir build/course $(COURSE_ARGS)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# JupyterLab in Chromium: every notebook run from the menu, the Week 2 sliders moved; screenshots in build/screenshots/.
browser-test: setup
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

clean:
	rm -rf build .pytest_cache

distclean: clean
	rm -rf $(VENV) data/demo
