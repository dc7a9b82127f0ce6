# The two commands of the README:
#   make run   - install, migrate the SQLite database, load the demo data once, serve on 127.0.0.1:8000
#   make test  - install, run the whole test suite (SQLite unless DATABASE_URL says otherwise)
# and, for the inner loop, make test-fast: the same without the browser, benchmark and slow tests.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: install system-packages run serve test test-fast lint format clean

# What the tests need from the operating system: Chromium for the browser tests, and the Pango and
# font packages WeasyPrint renders PDFs with. Installed with apt when missing and we may (root);
# elsewhere install them yourself (see the README).
SYSTEM_PACKAGES := chromium tesseract-ocr fonts-dejavu-core fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0

# Reinstall whenever a requirements file changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed system-packages

system-packages:
	@missing=$$(for package in $(SYSTEM_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "Installing $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Please install these system packages: $$missing" >&2; \
		fi; \
	fi

# Background work (large imports, PDFs, freezing): when Redis answers at WORKER_REDIS, `make run` starts a Celery
# worker beside the site, both pointed at it (CELERY_BROKER_URL; REDIS_URL too, so the pages see progress live),
# and stops it with the site; otherwise the work runs within the requests. docs/scale.md: workers elsewhere.
WORKER_REDIS ?= redis://127.0.0.1:6379/0
WORKER_QUEUES ?= imports,documents
REDIS_ANSWERS = $(BIN)/python -c "import redis; redis.Redis.from_url('$(WORKER_REDIS)', socket_timeout=1).ping()" 2>/dev/null
# Runs $(1) in the foreground, with a worker beside it while CELERY_BROKER_URL is set; the worker stops with it.
define WITH_WORKER
	if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Background work goes to a Celery worker (queues $(WORKER_QUEUES)) through $$CELERY_BROKER_URL."; \
		$(BIN)/celery -A portfolio worker -Q $(WORKER_QUEUES) --loglevel=INFO --concurrency=1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(1); \
	else \
		echo "No broker: background work runs within the requests."; \
		$(1); \
	fi
endef

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@if [ -z "$$CELERY_BROKER_URL" ] && $(REDIS_ANSWERS); then \
		export CELERY_BROKER_URL="$(WORKER_REDIS)" REDIS_URL="$${REDIS_URL:-$(WORKER_REDIS)}"; \
	fi; \
	echo "Serving on http://$(ADDRESS)/ (Ctrl-C stops it)."; \
	$(call WITH_WORKER,$(BIN)/python manage.py runserver $(ADDRESS))

# The site as production runs it: DEBUG off, static files collected and served compressed by WhiteNoise,
# gunicorn with a few workers. Set SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL, ...) as production would; with
# no SECRET_KEY a throwaway one is generated for this run only (sessions end when it stops), and said so.
# Plain HTTP on 127.0.0.1 needs SECURE_SSL_REDIRECT=0 (it is on with DEBUG off); SERVE_ADDRESS and
# SERVE_WORKERS change where and how many. With CELERY_BROKER_URL set, a Celery worker runs beside it (docs/scale.md).
SERVE_ADDRESS ?= 127.0.0.1:8000
SERVE_WORKERS ?= 2

serve: install
	@export DEBUG=0; \
	if [ -z "$$SECRET_KEY" ]; then \
		echo "SECRET_KEY is not set: using a throwaway key for this run only (set one for a real deployment)."; \
		export SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	fi; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export SITE_URL="$${SITE_URL:-http://$(SERVE_ADDRESS)}"; \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py createcachetable && \
	echo "Serving on http://$(SERVE_ADDRESS)/ with DEBUG off (Ctrl-C stops it)." && \
	$(call WITH_WORKER,$(BIN)/gunicorn portfolio.wsgi:application --bind $(SERVE_ADDRESS) --workers $(SERVE_WORKERS) \
		--access-logfile - --timeout 60)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Each marker (registered in pyproject.toml) leaves out a few long tests; what remains runs in minutes.
FAST_TESTS := not browser and not benchmark and not slow

test-fast: install
	$(BIN)/python -m pytest -m "$(FAST_TESTS)" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
