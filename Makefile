# veoui: `make run` starts the studio, `make test` runs the whole test suite. Nothing else is needed by hand.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint soak bench clean browser screenshots gettext messages nginx

# The Debian packages a recipe found missing (in $$missing): installed as root with apt-get, else named.
# $(call install_missing,what they are for,who needs them)
install_missing = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's$$missing for $(1)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "$(2): sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py start

test: $(VENV)/.dev browser gettext nginx
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The slow reliability suites in full: the kill soak (100 generations, 20 SIGKILLs) and the load test (200 pollers
# for 60 s), with the fault matrix and the fuzzing; each prints its figures. `make test` runs them shortened.
soak: $(VENV)/.dev
	VEOUI_SOAK=full $(PY) -m pytest tests/reliability $(PYTEST_ARGS)

# The performance targets (bench/, results in bench/RESULTS.md): real gunicorn, worker and simulator on throwaway
# SQLite and PostgreSQL databases, Debian's chromium; one table of figures against same-run baselines.
bench: $(VENV)/.dev
	@missing=""; \
	for tool in chromium; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	$(call install_missing,the benches,The benches need)
	$(PY) -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Django 6.1 needs Python 3.12 or newer: take the first one found on PATH or in pyenv's versions.
$(VENV)/bin/python:
	@py=""; \
	for c in $$PYTHON python3.14 python3.13 python3.12 python3 \
	         $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.*/bin/python3 2>/dev/null | sort -rV); do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then py=$$(command -v "$$c"); break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "veoui needs Python 3.12 or newer and none was found."; \
	  echo "On Debian 13: sudo apt-get install python3 python3-venv. Elsewhere: install Python 3.12+ (e.g. with pyenv)."; \
	  exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version))"; \
	if ! "$$py" -m venv $(VENV); then \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    ver=$$("$$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'); \
	    apt-get update -q && apt-get install -y -q python3-venv "python$$ver-venv" && "$$py" -m venv $(VENV); \
	  else \
	    echo "Python's venv module is missing: sudo apt-get install python3-venv, then run make again."; exit 1; \
	  fi; \
	fi
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used) and inject axe-core, the
# accessibility checker, pinned in tests/browser/package-lock.json and installed from npm's registry.
# The CJK fonts let pages (and the simulator's pictures) show Chinese. Each package is checked on its own.
browser: tests/browser/node_modules/.installed
	@missing=""; \
	command -v chromium >/dev/null || missing=" chromium"; \
	[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	$(call install_missing,the browser tests,The browser tests need)

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's nodejs and npm for the accessibility checks"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; \
	  else \
	    echo "The accessibility checks need npm: sudo apt-get install nodejs npm"; exit 1; \
	  fi; \
	fi
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

# The translation tests extract the messages of the code with GNU gettext, as `make messages` does.
gettext:
	@missing=""; \
	{ command -v xgettext >/dev/null && command -v msgfmt >/dev/null; } || missing=" gettext"; \
	$(call install_missing,the translation tests,The translation tests need)

# The slow-clients test (tests/deploy/test_nginx.py) runs Debian's nginx with veoui/deploy/nginx.conf in front of
# gunicorn, over TLS with a certificate it makes with openssl. It runs nginx as whoever runs the tests, on ports
# and in a folder of its own; the nginx service that Debian's package sets up is not used.
nginx:
	@missing=""; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing=" nginx"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	$(call install_missing,the slow-clients test,The slow-clients test needs)

# After changing user-facing text: update the Chinese and Spanish catalogues, translate what is new or fuzzy in
# veoui/locale/*/LC_MESSAGES/django.po, then run this again to compile them (tests/i18n checks both).
messages: $(VENV)/.dev gettext
	$(PY) manage.py makemessages -l zh_Hans -l es --ignore "tests/*" --ignore "media/*" --ignore "test-artifacts/*" \
	  --no-obsolete --add-location file --no-wrap
	$(PY) manage.py compilemessages -l zh_Hans -l es --ignore .venv --ignore tests

# The pictures in the README and tests/browser/screenshots/, taken by the browser tests.
screenshots: $(VENV)/.dev browser
	VEOUI_SCREENSHOTS=tests/browser/screenshots $(PY) -m pytest tests/browser/test_phone.py tests/browser/test_readme_pictures.py tests/browser/test_frames.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .staticfiles .pytest_cache .test-db.sqlite3*
