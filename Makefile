# insightpulseai.workbench — developer entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
# Heavy, versioned tool installs (later: Node 24, n8n, the LiteLLM venv, helm) live outside the clone.
WORKBENCH_CACHE ?= $(HOME)/.cache/insightpulseai-workbench
# Added to every ansible-playbook run of local, local-down and clean, e.g. ANSIBLE_ARGS='-e local_stack_pg_port=54323'
ANSIBLE_ARGS ?=

export WORKBENCH_CACHE
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
export ANSIBLE_HOME := $(ROOT)/.ansible
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export ANSIBLE_ARGS

.PHONY: help setup local local-down sandbox sandbox-down test lint sanity unit integration molecule bench build clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## Check the machine, then install what the other targets need (PostgreSQL 15, redis, .venv, helm, n8n, LiteLLM)
	@scripts/setup.sh

local: setup ## Bring up the local workbench, converge it and print where everything is and what to try
	@scripts/local.sh up

local-down: ## Stop what `make local` started (data is kept under .workbench/)
	@scripts/local.sh down

sandbox: setup ## Start the offline cloud sandbox (DigitalOcean + Kubernetes API fakes, moto); writes .workbench/sandbox.env
	@scripts/sandbox.sh start

sandbox-down: ## Stop the sandbox
	@scripts/sandbox.sh stop

test: setup ## Run every quality gate: lint, sanity, unit, integration, Molecule
	@scripts/test.sh all

lint: setup ## ansible-lint (production profile, offline), the role docs check, ruff (format and lint of the Python)
	@scripts/test.sh lint

sanity: setup ## ansible-test sanity (all tests, offline bootstrap)
	@scripts/test.sh sanity

unit: setup ## Unit tests (no services)
	@scripts/test.sh unit

integration: setup ## Integration tests against real local services
	@scripts/test.sh integration

molecule: setup ## Molecule scenarios
	@scripts/test.sh molecule

bench: setup ## Benchmarks (ratios against baselines measured in the same run)
	@scripts/bench.sh

build: setup ## Build the collection tarball
	ansible-galaxy collection build --force --output-path "$(ROOT)/.tmp/dist"

clean: ## Stop local services and the sandbox, remove their data (also PostgreSQL's, outside the clone as root) and tool output
	@scripts/local.sh clean
