# Two commands matter: `make play` and `make test`. Both build .venv themselves.
# `make discord` / `make slack` add a chat platform's SDK to .venv (the extras).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: play discord slack postgres test lint format bench clean

# The stamp files remember which extras are installed; pyproject changes reinstall.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.play-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The play stamp too: `pip install -e '.[x]'` installs the project itself as well.
$(VENV)/.discord-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[discord]'
	touch $@ $(VENV)/.play-installed

$(VENV)/.slack-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[slack]'
	touch $@ $(VENV)/.play-installed

$(VENV)/.postgres-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@ $(VENV)/.play-installed

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,discord,slack,postgres,uvloop]'
	touch $@ $(VENV)/.play-installed $(VENV)/.discord-installed $(VENV)/.slack-installed \
		$(VENV)/.postgres-installed

play: $(VENV)/.play-installed
	$(BIN)/trivia-bot play

# Install discord.py (slack-bolt) into .venv; then `.venv/bin/trivia-bot run discord` (slack).
discord: $(VENV)/.discord-installed
	@echo "discord.py is installed. Next: export DISCORD_TOKEN=... and run .venv/bin/trivia-bot run discord"

slack: $(VENV)/.slack-installed
	@echo "slack-bolt is installed. Next: export SLACK_BOT_TOKEN=... SLACK_APP_TOKEN=... and run .venv/bin/trivia-bot run slack"

# Install asyncpg into .venv, for TRIVIA_DB=postgresql://...
postgres: $(VENV)/.postgres-installed
	@echo "asyncpg is installed. Next: export TRIVIA_DB=postgresql://user@host:5432/dbname"

# Three workers, a test file each at a time: the multi-process tests spend most of their
# time waiting on real timers (leases, deadlines), so three files share even a 2-CPU
# machine well (4:03 there, 4:41 with two workers, about 8 one by one).
# `pytest -p no:xdist` runs them one by one.
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n 3 --dist loadfile

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict bot

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.play-installed
	$(BIN)/trivia-bot bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
