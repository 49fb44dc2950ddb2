# ClusterForge — one entry point for building, running and testing.
#
#   make demo   the main job on the local cloud (no AWS account needed)
#   make test   everything CI runs; installs what it needs itself
#
# Build caches live in .cache/ (gitignored) so reruns are fast.

SHELL        := /bin/bash
ROOT         := $(abspath .)
CACHE        := $(ROOT)/.cache
BIN          := $(ROOT)/bin
export GOCACHE   ?= $(CACHE)/go-build
export GOFLAGS   ?= -mod=mod
export GOTOOLCHAIN ?= local
NODE_DIR     := $(ROOT)/local/sfn
NODE_STAMP   := $(NODE_DIR)/node_modules/.installed
FUNCTIONS    := $(notdir $(wildcard functions/*))
# Lambda binaries: provided.al2023 custom runtime, static, named bootstrap.
LAMBDA_GOOS  ?= linux
LAMBDA_GOARCH ?= $(shell go env GOARCH)
GO_BUILD     := CGO_ENABLED=0 go build -trimpath -ldflags="-s -w"
TEST_TIMEOUT ?= 25m

.PHONY: all build functions localcloud tools deps node local demo test test-unit test-e2e vet bench invoke synth deploy clean

all: build

## deps: Go modules and the Node 22 runtime + aws-local-stepfunctions (npm)
deps: node
	go mod download

node: $(NODE_STAMP)
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@test -x $(NODE_DIR)/node_modules/node/bin/node || { echo "node@22 did not install"; exit 1; }
	touch $@

## build: every Lambda binary and the local cloud launcher
build: functions localcloud tools

functions: $(addprefix $(BIN)/functions/,$(addsuffix /bootstrap,$(FUNCTIONS)))
$(BIN)/functions/%/bootstrap: FORCE
	@mkdir -p $(dir $@)
	GOOS=$(LAMBDA_GOOS) GOARCH=$(LAMBDA_GOARCH) $(GO_BUILD) -tags lambda.norpc -o $@ ./functions/$*

localcloud:
	$(GO_BUILD) -o $(BIN)/localcloud ./cmd/localcloud

tools:
	$(GO_BUILD) -o $(BIN)/demo ./cmd/demo
	$(GO_BUILD) -o $(BIN)/forge ./cmd/forge

FORCE:

## local: the local cloud and the service in the foreground (first line: JSON contract)
local: build node
	@$(BIN)/localcloud --functions $(BIN)/functions --statemachines $(ROOT)/statemachines --sfn-dir $(NODE_DIR)

## demo: the main job on the local cloud
demo: build node
	@$(BIN)/demo --localcloud $(BIN)/localcloud --functions $(BIN)/functions --statemachines $(ROOT)/statemachines --sfn-dir $(NODE_DIR)

vet:
	go vet ./...

## test: unit tests, ASL validation, end-to-end on the local cloud
test: deps build vet
	@command -v aws >/dev/null || { apt-get update -qq && apt-get install -y -qq awscli >/dev/null; } || echo "awscli unavailable: CLI cross-checks will be skipped"
	CLUSTERFORGE_BIN=$(BIN) CLUSTERFORGE_ROOT=$(ROOT) go test -count=1 -timeout $(TEST_TIMEOUT) ./... 2>&1 | tee $(CACHE)/test.log; exit $${PIPESTATUS[0]}

clean:
	rm -rf $(BIN) $(CACHE)
