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

.PHONY: install serve site freeze site-with-versions test test-fast validate fmt fmt-check pages check-site linkcheck bench bench-search clean

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || $(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## serve: build and serve the site; an edit to data, templates or docs re-renders the pages it changed
serve: install
	$(VENV)/bin/$(ENGINE) serve --livereload --dirty --no-strict

## site: build the static site into site/ (strict); a failed build leaves the old site/ in place
site: install
	rm -rf .site-new
	$(VENV)/bin/$(ENGINE) build --strict --site-dir .site-new
	rm -rf site && mv .site-new site

## freeze: build this checkout as the frozen copy of its release: make freeze VERSION=0.2.0 (into site/v/0.2.0/)
freeze: install
	@test -n "$(VERSION)" || { echo "make freeze VERSION=x.y.z" >&2; exit 2; }
	$(PY) -m atlas freeze "$(VERSION)" $(if $(FREEZE_OUT),--out "$(FREEZE_OUT)")

## site-with-versions: the live site, plus the frozen copy of every tagged release under site/v/ (what Pages publishes)
site-with-versions: site
	.ci/site-with-versions

## test: the whole test suite
test: install
	$(PY) -m pytest

## test-fast: every test but the browser and slow ones, on two workers, with 5 generated records per
## property test instead of 10; CI runs make test (bench/RESULTS.md has the timings)
test-fast: install
	ATLAS_HYPOTHESIS_EXAMPLES=$${ATLAS_HYPOTHESIS_EXAMPLES:-5} $(PY) -m pytest -m "not browser and not slow" -n 2

## validate: check every data file (path:line:col: rule: message). make exits 2 on any failure;
## .venv/bin/atlas validate itself exits 0 clean, 1 invalid data, 2 misuse
validate: install
	@$(PY) -m atlas validate || { rc=$$?; echo "atlas validate exited $$rc (1: invalid data, 2: misuse); make reports any failure as 2" >&2; exit $$rc; }

## fmt: rewrite data files in canonical form; fmt-check only reports
fmt: install
	$(PY) -m atlas fmt

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
