# The two commands a newcomer needs (see README.md):
#   make course   set everything up (first time only) and open the chapters in JupyterLab
#   make test     set everything up (first time only) and run the whole test suite
# Both create ./.venv from requirements.txt when it is missing or out of date.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# MNIST: the loader reads $(MLP_LAB_MNIST_DIR) when set; this default suits a checkout beside ../shared.
MLP_LAB_MNIST_DIR ?= $(wildcard $(CURDIR)/../shared/data/mnist)
export MLP_LAB_MNIST_DIR

.PHONY: course test unit notebooks benchmark release execute mine clean-venv

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The tests also need tests/requirements.txt (torch, to compare the optimizers with torch.optim).
$(VENV)/.tests-installed: $(VENV)/.installed tests/requirements.txt
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@

MLP_LAB := $(VENV)/bin/mlp-lab

# Opens chapters/ itself (mlp-lab course adds --allow-root when run as root).
course: $(VENV)/.installed
	$(MLP_LAB) course chapters

test: $(VENV)/.tests-installed
	$(PY) -m pytest

unit: $(VENV)/.tests-installed
	$(PY) -m pytest tests

notebooks: $(VENV)/.tests-installed
	$(PY) -m pytest chapters

# After editing a solution: make execute NB=chapters/solutions/03_backprop_as_gears.ipynb && make release
execute: $(VENV)/.installed
	OPENBLAS_NUM_THREADS=1 $(MLP_LAB) execute $(NB)

release: $(VENV)/.installed
	$(MLP_LAB) release

# A learner's view of one chapter: make mine NB=chapters/03_backprop_as_gears.ipynb
mine: $(VENV)/.installed
	$(MLP_LAB) check $(NB)

# Seconds per epoch against PyTorch (if installed) and against the epoch's own matrix products.
benchmark: $(VENV)/.installed
	$(PY) -m pip install --quiet -r benchmarks/requirements.txt
	$(PY) benchmarks/epoch_time.py

clean-venv:
	rm -rf $(VENV)
