# flipstack: `make up` starts the stack, `make test` checks everything on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM := npm --no-audit --no-fund

.PHONY: help install build lint typecheck test test-service test-loadtest k6 bench start-standard start-cluster

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# npm ci rewrites this file, so dependencies are reinstalled only when the manifest or lockfile changes.
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci

install: node_modules/.package-lock.json ## Install npm dependencies

build: install ## Compile the service to service/dist
	$(NPM) run build

lint: install ## ESLint over the repository
	$(NPM) run lint

typecheck: install ## tsc --noEmit over sources and tests
	$(NPM) run typecheck

test-service: build ## Service tests: contract, errors, queue, shutdown, cluster runner
	$(NPM) run test:service

k6: ## k6 (pinned, built from its Go module into .cache/bin unless on PATH) and ab
	bash deploy/install-k6.sh

test-loadtest: build k6 ## k6 smoke runs of loadtest/flip.js, cpu.js, crash.js
	$(NPM) run test:loadtest

test: k6 lint typecheck test-service test-loadtest ## Everything CI runs

bench: build k6 ## Benchmark every mode (≤ 20 min; BENCH_ARGS="--modes standard,cluster"): loadtest/results/<date>/report.md
	$(NPM) run bench -- $(BENCH_ARGS)

start-standard: build ## One process on PORT (default 3000)
	$(NPM) run start:standard

start-cluster: build ## node:cluster runner, one worker per available CPU
	$(NPM) run start:cluster
