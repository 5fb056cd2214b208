# flipstack: `make up` starts the stack, `make test` checks everything on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM := npm --no-audit --no-fund

.PHONY: help install build lint typecheck test test-service start-standard start-cluster image-corpus
.PHONY: test-real-images
.PHONY: test-pm2 pm2 pm2-monit pm2-stop monit test-loadtest k6 bench bench-stack-factors
.PHONY: test-queue
.PHONY: docker up down scale logs test-stack scale-workers
.PHONY: compose-v2 test-compose-v2
.PHONY: swarm-up swarm-down test-swarm k8s-tools k8s-up k8s-down test-kubernetes test-monitoring

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

test-service: build ## Service tests: contract, errors, queue modes, shutdown, cluster runner, image corpora, mutation run
	bash deploy/install-packages.sh convert-im6.q16=imagemagick redis-server=redis-server redis-cli=redis-tools
	bash deploy/real-world-images.sh >/dev/null
	$(NPM) run test:service

test-real-images: build ## Only the real-world image run (Debian packages' test images, both engines, ~1 min)
	bash deploy/install-packages.sh convert-im6.q16=imagemagick
	bash deploy/real-world-images.sh >/dev/null
	$(NPM) run test:real-images

image-corpus: install ## Rewrite service/test/corpus/ (odd, hostile and truncated images) with ImageMagick
	bash deploy/install-packages.sh convert-im6.q16=imagemagick
	$(NPM) run corpus

test-pm2: build ## PM2 cluster mode under load through nginx: crash switch, SIGKILL, reload, stop (~2 min)
	bash deploy/install-packages.sh nginx=nginx tmux=tmux
	$(NPM) run test:pm2

test-queue: build ## Queue mode with real Redis and processes: FIFO, admission, deadline, kill -9, poison job, Redis restart (~1 min)
	bash deploy/install-packages.sh redis-server=redis-server redis-cli=redis-tools
	$(NPM) run test:queue

k6: ## k6 (pinned, built from its Go module into .cache/bin unless on PATH) and ab
	bash deploy/install-k6.sh

test-loadtest: build k6 docker ## k6 smoke runs of loadtest/flip.js, cpu.js, crash.js; the bench's CPU accounting in a process tree and a container
	$(NPM) run test:loadtest

test: lint typecheck k6 compose-v2 test-service test-pm2 test-queue test-loadtest test-compose-v2 test-stack test-monitoring test-kubernetes test-swarm ## Everything CI runs

start-standard: build ## One process on PORT (default 3000)
	$(NPM) run start:standard

start-cluster: build ## node:cluster runner, one worker per available CPU
	$(NPM) run start:cluster

# Containers: nginx in front of N replicas of the service (docker-compose.yml, deploy/, nginx/). Compose v2
# where it exists, else v1.29; both read the same file, under one project name (deploy/compose.sh).
COMPOSE := bash deploy/compose.sh
N ?= 3

docker: ## Docker engine running, base images present (stand-ins built only if pulling fails)
	bash deploy/install-docker.sh
	bash deploy/offline-images.sh

up: ## Build and start 3 replicas (REPLICAS) behind nginx on localhost:8080 (HTTP_PORT); MODE=queue: api, Redis, workers; MONITORING=1 adds Prometheus
	bash deploy/up.sh

# The queue and monitoring profiles' containers go too, whichever ran; Redis's volume stays.
down: ## Stop and remove the stack
	COMPOSE_PROFILES=queue,monitoring $(COMPOSE) down --remove-orphans

scale-workers: ## Change the number of queue-mode workers of the running stack: make scale-workers N=4
	COMPOSE_PROFILES=queue $(COMPOSE) up --detach --no-recreate --no-deps --scale worker=$(N) worker

scale: ## Change the number of replicas of the running stack: make scale N=5
	$(COMPOSE) up --detach --no-recreate --scale service=$(N)

logs: ## Follow the stack's logs
	$(COMPOSE) logs --follow --tail=100

test-stack: install docker ## End-to-end tests of the stack with real Docker: discovery, scaling, failures, hygiene
	$(NPM) run test:stack

# Compose v2 on a machine that has only v1: built here, selected explicitly by its test (deploy/compose.sh and
# every other suite keep using whichever `docker compose` / `docker-compose` the machine has).
compose-v2: ## Compose v2 (pinned, built from its Go module into .cache/bin) unless `docker compose` is v2
	bash deploy/install-compose-v2.sh

test-compose-v2: install docker compose-v2 ## docker-compose.yml under Compose v2: config of every profile, inline and queue stacks, scaling (~3 min)
	$(NPM) run test:compose-v2

test-monitoring: install docker ## Prometheus rules (promtool) and the monitoring profile with real Prometheus (~3 min)
	bash deploy/install-packages.sh promtool=prometheus
	$(NPM) run test:monitoring

# PM2 on the host keeps its daemon, logs and dump under .cache/pm2 (git-ignored), never in ~/.pm2; its daemon
# does not check version.pm2.io for updates.
PM2 := PM2_HOME=$(CURDIR)/.cache/pm2 PM2_DISABLE_VERSION_CHECK=true node_modules/.bin/pm2

pm2: build ## PM2 cluster mode on the host (ecosystem.config.js); starts or reloads it
	$(PM2) startOrReload ecosystem.config.js

pm2-monit: ## pm2 monit for the host cluster started by `make pm2`
	$(PM2) monit

pm2-stop: ## Stop the host PM2 cluster and its daemon
	$(PM2) kill

# REPLICA picks one of `--scale service=N`.
REPLICA ?= 1

monit: ## pm2 monit inside a running service container (REPLICA=n for another replica)
	$(COMPOSE) exec --index $(REPLICA) service pm2 monit

bench: build k6 ## Benchmark every mode (≤ 20 min; BENCH_ARGS="--modes standard,cluster"): loadtest/results/<date>/report.md
	$(NPM) run bench -- $(BENCH_ARGS)

bench-stack-factors: build k6 ## Where the stack loses against raw node:cluster on /cpu, CPU per request by part (~6 min)
	$(NPM) run bench:stack-factors -- $(BENCH_ARGS)

# Beyond one machine: Docker Swarm on NODES simulated hosts (containers running Docker) on this machine, the same
# images from a local registry, nginx on 127.0.0.1:HTTP_PORT (deploy/swarm/). SWARM_PREFIX names a second swarm.
NODES ?= 3

swarm-up: install ## Local multi-node Docker Swarm (NODES=3), the stack deployed on it; prints the URL
	NODES=$(NODES) bash deploy/swarm/up.sh

swarm-down: ## Remove every container, network and volume swarm-up made
	bash deploy/swarm/down.sh

# Kubernetes: the manifests (deploy/kubernetes/) validated offline, and applied to a local cluster of NODES
# simulated hosts with real kubelets (deploy/kubernetes/local/); K8S_PREFIX names a second cluster. NODES is 2
# here unless given (the swarm's default is 3).
K8S_NODES = $(if $(filter command line environment,$(origin NODES)),$(NODES),2)

k8s-tools: ## kustomize, kubernetes-validate and the local cluster's binaries, pinned, under .cache (~15 min cold)
	bash deploy/install-k8s-tools.sh
	bash deploy/kubernetes/local/build-binaries.sh

k8s-up: install docker k8s-tools ## Local Kubernetes cluster (NODES=2), MODE=inline|queue applied to it; prints the URL and KUBECONFIG
	NODES=$(K8S_NODES) bash deploy/kubernetes/local/up.sh

k8s-down: ## Remove every container, network and volume k8s-up made
	bash deploy/kubernetes/local/down.sh

test-kubernetes: build docker k8s-tools ## Manifests validated offline; a 2-node cluster of its own, inline then queue: failures and autoscaling under load (7-12 min)
	$(NPM) run test:kubernetes

test-swarm: install docker ## 3-node swarms of their own: scaling, rolling update, drain, node killed under load; queue job survives its node (~4 min)
	$(NPM) run test:swarm
