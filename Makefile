# flipstack: `make up` starts the stack, `make test` checks everything on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM := npm --no-audit --no-fund

.PHONY: help install build lint typecheck test test-service start-standard start-cluster docker up down scale logs test-stack

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

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

test: lint typecheck test-service test-stack ## Everything CI runs

start-standard: build ## One process on PORT (default 3000)
	$(NPM) run start:standard

start-cluster: build ## node:cluster runner, one worker per available CPU
	$(NPM) run start:cluster

# Containers: nginx in front of N replicas of the service (docker-compose.yml, deploy/, nginx/).
COMPOSE := bash deploy/compose.sh
N ?= 3

docker: ## Docker engine running, base images present (stand-ins built only if pulling fails)
	bash deploy/install-docker.sh
	bash deploy/offline-images.sh

up: ## Build and start 3 replicas behind nginx on localhost:8080 (HTTP_PORT)
	bash deploy/up.sh

down: ## Stop and remove the stack
	$(COMPOSE) down --remove-orphans

scale: ## Change the number of replicas of the running stack: make scale N=5
	$(COMPOSE) up --detach --no-recreate --scale service=$(N)

logs: ## Follow the stack's logs
	$(COMPOSE) logs --follow --tail=100

test-stack: install docker ## End-to-end tests of the stack with real Docker: discovery, scaling, failures, hygiene
	$(NPM) run test:stack
