# Two commands: `make run` serves the app on an embedded SQLite database filled
# with demo data; `make test` runs the tests. Both set everything up first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8501
WORKERS ?= 2

.PHONY: run serve test test-fast lint sysdeps demo bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python 3.11 或更高版本（当前：$$($(PYTHON) --version)）" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
		else echo "请先安装 python3-venv" >&2; exit 1; fi; }
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

## Chromium (browser tests, chart export), CJK fonts, poppler-utils (print test) and nginx (`make serve`, the
## two-process test), from Debian, when root and missing.
sysdeps:
	@missing=""; \
	for p in chromium fonts-noto-cjk poppler-utils nginx; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "安装系统软件包：$$missing"; \
			apt-get install -y -qq $$missing >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $$missing; }; \
		else echo "缺少系统软件包：$$missing（浏览器测试与图片导出需要；请以root运行或手工安装）" >&2; fi; \
	fi

## Build the schema and the demo data on first start, then serve on $(HOST):$(PORT) through the ASGI entry
## serve.py (st.App: Streamlit plus /healthz, /metrics, the session routes and the security headers).
## The first start also creates one demo account per role and prints their passwords once.
run: $(VENV)/.runtime
	$(PY) -m supervision demo --if-empty
	$(PY) -m supervision users demo --if-none --base-url http://$(HOST):$(PORT)
	$(VENV)/bin/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

## $(WORKERS) app processes behind nginx (sticky per browser) on $(HOST):$(PORT), on the PostgreSQL database of
## DATABASE_URL or config.toml; the processes listen on PORT+10 onwards (deploy/cluster.py, README 部署：多进程).
serve: $(VENV)/.runtime
	$(PY) deploy/cluster.py run --workers $(WORKERS) --listen $(HOST):$(PORT)

## (Re)build the demo database from scratch.
demo: $(VENV)/.runtime
	$(PY) -m supervision demo --replace

## The gates, before any test runs: ruff, mypy (supervision/ and components/), import-linter's contracts.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: $(VENV)/.dev lint sysdeps
	$(PY) -m pytest -n 2

## Tests without the real-browser tier.
test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not browser"

## Province-scale benchmark on SQLite and PostgreSQL; the table goes to bench/results/latest.md and README.md.
bench: $(VENV)/.dev
	$(PY) bench/run.py --readme $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
