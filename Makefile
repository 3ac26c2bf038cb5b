# The README's two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench demo screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres,encryption,test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

# Headless: the test configuration sets QT_QPA_PLATFORM=offscreen itself.
# PostgreSQL tests run when CASEMANAGER_TEST_POSTGRES_URL is set or a local server can be started.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Ruff, strict mypy, and the import contracts in pyproject.toml (layers; no use case imports another).
lint: $(STAMP)
	$(BIN)/ruff check casemanager tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/demo_clinic.py
	$(BIN)/python benchmarks/workflow.py
	$(BIN)/python benchmarks/documents.py $(if $(CASEMANAGER_TEST_POSTGRES_URL),--postgres $(CASEMANAGER_TEST_POSTGRES_URL))
	$(BIN)/python benchmarks/caseload.py
	$(BIN)/python benchmarks/waits.py $(if $(CASEMANAGER_TEST_POSTGRES_URL),--postgres $(CASEMANAGER_TEST_POSTGRES_URL))
	$(BIN)/python benchmarks/audit.py
	$(BIN)/python benchmarks/fhir_export.py
	$(BIN)/python benchmarks/patient_import.py
	$(BIN)/python benchmarks/first_window.py
	$(BIN)/python benchmarks/documentation.py

# The README's pictures, made again from a demo clinic (under Xvfb when it is installed).
screenshots: $(STAMP)
	$(if $(shell command -v xvfb-run),xvfb-run -a -s "-screen 0 1920x1080x24") $(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache *.egg-info
