# Everything runs from a local virtual environment with pinned dependencies.
PYTHON ?= python3
# Material prints a banner about MkDocs 2 on every build; once is enough.
export NO_MKDOCS_2_WARNING := 1
# The engine that turns the pages into HTML: ProperDocs (a maintained MkDocs 1.6), or
# mkdocs for MkDocs 1.6 itself; both build the same site (tests/test_engine.py).
ENGINE ?= properdocs
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install serve site freeze site-with-versions test test-fast lint validate fmt fmt-check pages check-site linkcheck bench bench-search clean

# requirements.txt pins setuptools too, so the editable install below builds with it and without
# isolation (no download); its one notice, that ./atlas is what gets imported, is the point here.
$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## serve: build and serve the site; an edit to data, templates or docs re-renders the pages it changed
## (SERVE_ARGS="-a 127.0.0.1:8001" serves on another address)
# --dirty: a rebuild rewrites only the pages an edit changed; after editing nav: in mkdocs.yml, restart it.
# -f: the engine's own name for the file is properdocs.yml; naming it keeps mkdocs.yml for both engines.
serve: install
	$(VENV)/bin/$(ENGINE) serve -f mkdocs.yml --livereload --dirty --no-strict $(SERVE_ARGS)

## site: build the static site into site/ (strict); a failed build leaves the old site/ in place,
## and site/ is replaced in one rename (atlas/outdir.py), so no kill leaves it partial
site: install
	$(PY) -m atlas output --fresh .site-new
	$(VENV)/bin/$(ENGINE) build -f mkdocs.yml --strict --site-dir .site-new
	$(PY) -m atlas output --replace site --with .site-new

## freeze: build this checkout as the frozen copy of its release: make freeze VERSION=0.2.0 (into site/v/0.2.0/)
freeze: install
	@test -n "$(VERSION)" || { echo "make freeze VERSION=x.y.z" >&2; exit 2; }
	$(PY) -m atlas freeze "$(VERSION)" $(if $(FREEZE_OUT),--out "$(FREEZE_OUT)")

## site-with-versions: the live site, plus the frozen copy of every tagged release under site/v/ (what Pages publishes)
site-with-versions: site
	.ci/site-with-versions

## test: the whole test suite, on two workers (the browser tests spend most of their time waiting)
test: install
	$(PY) -m pytest -n 2

## test-fast: the in-memory and small-corpus tests (not marked browser, slow, site or process; see
## CONTRIBUTING.md, section 8), on two workers, with 5 generated records per property test
## instead of 10; CI runs make test (bench/RESULTS.md has the timings)
test-fast: install
	ATLAS_HYPOTHESIS_EXAMPLES=$${ATLAS_HYPOTHESIS_EXAMPLES:-5} $(PY) -m pytest -m "not browser and not slow and not site and not process" -n 2

## lint: ruff's checks of the Python code (pyproject.toml, [tool.ruff]); make test runs them too
lint: install
	$(VENV)/bin/ruff check .

## validate: check every data file (path:line:col: rule: message). make exits 2 on any failure;
## .venv/bin/atlas validate itself exits 0 clean, 1 invalid data, 2 misuse
validate: install
	@$(PY) -m atlas validate

## fmt: rewrite data files in canonical form; fmt-check only reports
fmt: install
	@$(PY) -m atlas fmt

fmt-check: install
	$(PY) -m atlas fmt --check

## pages: write the generated Markdown pages to build/pages (no MkDocs hooks needed)
pages: install
	$(PY) -m atlas pages build/pages

## check-site: every internal link and anchor of site/, offline (lychee), reported at the YAML/Markdown source
check-site: site
	$(PY) -m atlas check-site site

## linkcheck: DOIs, PMIDs, NCT numbers and URLs through their registries (needs the internet)
linkcheck: install
	mkdir -p build
	$(PY) -m atlas linkcheck --report build/linkcheck.md

## bench: validation, generation, build, serve-edit and test-suite costs at 1x, 10x and 100x the review, paired with commit 5ae6caf (writes bench/RESULTS.md; takes long)
bench: install
	$(PY) bench/run.py --scales 1,10,100 --runs 3 --runs-100 1 --old 5ae6caf --tests --out bench/RESULTS.md

clean:
	rm -rf site .site-new build

## bench-search: the search box of main (before) and of this tree (after) at 1x and 100x (writes the Search section of bench/RESULTS.md)
bench-search: install
	$(PY) bench/search.py --scales 1,100 --out bench/RESULTS.md
