# zgc-geo: the two set-up commands of the README.
#   make run   installs everything into .venv and static/node_modules (and, as root, Debian's Chromium and
#              CJK fonts for print export), then starts the app
#   make test  installs everything (test tools, Debian's Chromium, PostgreSQL + PostGIS and nginx too) and
#              runs the whole suite
# Both are safe to repeat: each install step re-runs only when its lock file changed.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test assets chromium pdf-tools postgis nginx lint

# Print export (PNG/PDF) renders with Chromium; without it (and not root) the app still runs.
run: CHROMIUM_OPTIONAL := 1
run: install assets chromium
	$(PY) -m streamlit run app.py

test: install-test assets chromium pdf-tools postgis nginx lint
	$(PY) -m pytest

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m mypy

install: $(VENV)/.runtime-installed
install-test: $(VENV)/.test-installed

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zgc-geo needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $@

# Leaflet and friends come from the npm registry, never a CDN and never from git.
assets: static/node_modules/.package-lock.json

static/node_modules/.package-lock.json: static/package.json static/package-lock.json
	npm ci --prefix static --no-audit --no-fund
	@touch $@

# The browser tests and print export (zgc-geo map --out x.pdf|png) drive Debian's Chromium, with the
# Noto CJK fonts for Chinese labels (Playwright's own browser download is not used).
chromium:
	@if [ -x "$(CHROMIUM)" ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' && fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei'; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk fonts-wqy-microhei; \
	elif [ -n "$(CHROMIUM_OPTIONAL)" ]; then \
		echo "Note: print export to PNG/PDF needs Chromium and CJK fonts: run 'sudo apt-get install chromium fonts-noto-cjk fonts-wqy-microhei'. HTML export and the app work without them."; \
	else \
		echo "Chromium or its CJK fonts are missing: run 'sudo apt-get install chromium fonts-noto-cjk fonts-wqy-microhei' (or set CHROMIUM=/path/to/chromium)"; exit 1; \
	fi

# The print-export tests read PDFs with poppler's pdfinfo, pdffonts and pdftotext.
pdf-tools:
	@if command -v pdffonts >/dev/null && command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils; \
	else \
		echo "poppler-utils is missing: run 'sudo apt-get install poppler-utils'"; exit 1; \
	fi

# The PostGIS workspace tests start their own private PostgreSQL cluster (tests/postgis_server.py: a temporary
# folder, a free port, never the system's service) from Debian's server binaries and PostGIS for the newest
# installed major version. Without them (and not root) those tests skip and say so; under CI they fail.
postgis:
	@pg_ok() { major=$$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1); [ -n "$$major" ] && \
		[ -x /usr/lib/postgresql/$$major/bin/initdb ] && [ -f /usr/share/postgresql/$$major/extension/postgis.control ]; }; \
	if pg_ok; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql && \
		major=$$(ls /usr/lib/postgresql | sort -n | tail -n 1) && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-$$major-postgis-3 && pg_ok; \
	else \
		echo "Note: the PostGIS tests need PostgreSQL with PostGIS and will skip: run 'sudo apt-get install postgresql postgresql-15-postgis-3' (Debian 12; postgresql-<major>-postgis-3 for another PostgreSQL)."; \
	fi

# The sign-in tests run the shipped site deploy/nginx/zgc-geo.conf in a private nginx of their own
# (tests/nginx_server.py: a temporary folder, a free port, never the system's service) from Debian's nginx.
# Without it (and not root) those tests skip and say so; under CI they fail.
nginx:
	@if [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx; \
	else \
		echo "Note: the nginx sign-in tests need nginx and will skip: run 'sudo apt-get install nginx'."; \
	fi

# Times the land-stock fast path (zgc_geo/stock/bulk.py) at 10k/100k/1M plots against plain GeoPandas,
# and the suitability model over all of Beijing at 30 m and 10 m against GDAL's command-line tools
# (zgc_geo/siting/; GDAL's tools are optional: without them the issue's figures are the reference).
.PHONY: bench
bench: install
	$(PY) benchmarks/bench_stock.py
	$(PY) benchmarks/bench_siting.py
	$(PY) benchmarks/bench_workspace.py

# Times zgc-geo's whole commands (`zgc-geo stock`, `zgc-geo site`) beside GDAL's ogr2ogr and raster tools,
# QGIS's qgis_process, PostGIS, a plain GeoPandas script, exactextract and rasterstats on the same seeded
# synthetic data (benchmarks/peers/run.py → benchmarks/results/peers.json, peers.md and the README's
# bench-peers block). `sudo tools/install_peers.sh` installs the peers (CI does not); a missing peer is
# reported as skipped, never given a number. SIZES=10k runs one size; RUNS sets the runs per figure (≥ 3);
# QUIET=1 declares that nothing else ran on the machine: only then the README block shows the figures.
SIZES ?= 10k,100k,1M
RUNS ?= 3
# TIMEOUT: seconds before one run of a peer is given up (reported as a timeout, never as a figure).
TIMEOUT ?= 900
.PHONY: bench-peers
bench-peers: install
	$(PY) benchmarks/peers/run.py --sizes $(SIZES) --repeat $(RUNS) --timeout $(TIMEOUT) --readme README.md \
		$(if $(QUIET),--quiet-machine)

# Times every page in Debian's Chromium (Playwright, network beyond this machine blocked): navigation → map
# drawn cold and warm, a Stock map click → the plot's record, 1 and 8 people opening Stock at once (each in a
# browser context of their own), and the Stock page with a 20k-plot inventory
# (benchmarks/bench_pages.py → benchmarks/results/pages.json).
.PHONY: bench-pages
bench-pages: install-test chromium
	$(PY) benchmarks/bench_pages.py

# N = 1, 2, 4, 8, 16 people acting at once over Streamlit's own WebSocket protocol (no browser), through a
# private nginx (the site deploy/nginx/make_site.py writes) in front of 1, then 2 app processes sharing a
# private PostGIS workspace: open Stock, change a filter, open a plot's record, record a decision, open Siting,
# run siting; median and p95 per action, errors, lost decisions, RSS (also a minute after everyone left), CPU
# (benchmarks/bench_load.py → benchmarks/results/load.json). PROCESSES=2 or SESSIONS=1,8 run fewer.
PROCESSES ?= 1,2
SESSIONS ?= 1,2,4,8,16
.PHONY: bench-load
bench-load: install-test postgis nginx
	$(PY) benchmarks/bench_load.py --processes $(PROCESSES) --sessions $(SESSIONS)
