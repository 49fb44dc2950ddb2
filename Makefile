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

.PHONY: all build functions localcloud tools deps node web local demo chaos test test-unit test-e2e vet bench invoke synth deploy build-arm64 test-infra clean

all: build

## deps: Go modules and the Node 22 runtime + aws-local-stepfunctions (npm)
deps: node
	go mod download

node: $(NODE_STAMP)
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@test -x $(NODE_DIR)/node_modules/node/bin/node || { echo "node@22 did not install"; exit 1; }
	touch $@

## build: every Lambda binary, the local cloud launcher and the web console
build: functions localcloud tools web

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

## web: the web console (web/, React + Vite) into web/dist on local/sfn's
## Node 22. `npm ci` reruns only when the package files change, the build
## only when a source does; a no-op while web/package.json does not exist.
WEB_DIR      := $(ROOT)/web
WEB_STAMP    := $(WEB_DIR)/node_modules/.installed
WEB_DIST     := $(WEB_DIR)/dist/index.html
WEB_SOURCES  := $(shell find $(WEB_DIR)/src $(WEB_DIR)/public -type f 2>/dev/null) \
                $(wildcard $(WEB_DIR)/index.html $(WEB_DIR)/vite.config.* $(WEB_DIR)/tsconfig*.json)
NODE22       := PATH="$(NODE_DIR)/node_modules/node/bin:$$PATH"

ifneq ($(wildcard $(WEB_DIR)/package.json),)
web: $(WEB_DIST)
else
web:
	@echo "web/package.json absent: no web console to build"
endif

$(WEB_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json | node
	cd $(WEB_DIR) && $(NODE22) npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_DIST): $(WEB_STAMP) $(WEB_SOURCES)
	cd $(WEB_DIR) && $(NODE22) npm run build
	touch $@

# --web only when the console is built: the gateway refuses a missing dir.
WEB_FLAG      = $$(test -f $(WEB_DIST) && echo --web $(WEB_DIR)/dist)

## local: the local cloud and the service in the foreground (first line: JSON
## contract); the web console, when built, is at the contract's api URL
local: build node
	@$(BIN)/localcloud --functions $(BIN)/functions --statemachines $(ROOT)/statemachines --sfn-dir $(NODE_DIR) $(WEB_FLAG)

## demo: the main job on the local cloud (the harness serves web/dist, when
## built, at the api URL)
## (KIND=eks: an EKS cluster with managed node groups and a Fargate profile)
KIND         ?= self-managed
demo: build node
	@$(BIN)/demo --kind $(KIND) --localcloud $(BIN)/localcloud --functions $(BIN)/functions --statemachines $(ROOT)/statemachines --sfn-dir $(NODE_DIR)

## bench: measures the service on the local cloud (< 30 min on 2 cores);
## writes bench/results.json, bench/RESULTS.md and bench/*.png. bench/ is its
## own Go module (gonum plot, aws-lambda-rie stay out of the service's go.mod).
bench: build node
	cd bench && go build -o $(CACHE)/bin/aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
	cd bench && go run . --root $(ROOT) --bin $(BIN) --rie $(CACHE)/bin/aws-lambda-rie --out $(ROOT)/bench

## chaos: every fault kind at every mutating AWS call site of provision and
## delete (found from a clean run's call accounting), then 30 clusters at
## once in one account under EC2's request limits. Ends "N passed, M failed".
chaos: build node
	CLUSTERFORGE_BIN=$(BIN) CLUSTERFORGE_ROOT=$(ROOT) go run ./cmd/chaos $(CHAOS_FLAGS)

vet:
	go vet ./...

## test: unit tests, ASL validation, CDK assertions + cdk-nag, end-to-end on the local cloud
test: deps build vet synth
	cd infra && $(CDK_ENV) go vet ./... && $(CDK_ENV) go test -count=1 -timeout 10m ./... 2>&1 | tee $(CACHE)/test-infra.log; exit $${PIPESTATUS[0]}
	@command -v aws >/dev/null || { apt-get update -qq && apt-get install -y -qq awscli >/dev/null; } || echo "awscli unavailable: CLI cross-checks will be skipped"
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "chromium unavailable: the web console's browser tests (e2e) will be skipped"
	@if test -f $(WEB_DIR)/package.json; then cd $(WEB_DIR) && $(NODE22) npm test; fi
	CLUSTERFORGE_BIN=$(BIN) CLUSTERFORGE_ROOT=$(ROOT) go test -count=1 -timeout $(TEST_TIMEOUT) ./... 2>&1 | tee $(CACHE)/test.log; exit $${PIPESTATUS[0]}

## build-arm64: the Lambdas as deployed (provided.al2023 on Graviton, static,
## bootstrap) into bin/functions-arm64/<name>/ — the CDK app's code assets.
ARM64_DIR    := $(BIN)/functions-arm64
build-arm64: $(addprefix $(ARM64_DIR)/,$(addsuffix /bootstrap,$(FUNCTIONS)))
$(ARM64_DIR)/%/bootstrap: FORCE
	@mkdir -p $(dir $@)
	GOOS=linux GOARCH=arm64 $(GO_BUILD) -tags lambda.norpc -o $@ ./functions/$*

# CDK (infra/ is its own Go module: awscdk-go is ~275 MB of generated
# bindings and would slow every build of the service). jsii runs the
# construct library on Node: local/sfn's Node 22 (Node 20 is end-of-life
# to jsii). The cdk CLI is only needed to deploy.
CDK_ENV      := PATH="$(NODE_DIR)/node_modules/node/bin:$$PATH" CLUSTERFORGE_ROOT=$(ROOT) CDK_OUTDIR=$(ROOT)/cdk.out
CDK_CLI      ?= npx --yes aws-cdk@2.1148.1
JWT_ISSUER   ?=
JWT_AUDIENCE ?=

## synth: cdk.out/ with both stacks and cdk-nag's reports, offline (no AWS account)
synth: build-arm64 node web
	cd infra && $(CDK_ENV) go run .

## deploy: the platform stack to the AWS account of your credentials
## (JWT_ISSUER=https://… JWT_AUDIENCE=client-id; `cdk bootstrap` once per account/region)
deploy: synth
	@test -n "$(JWT_ISSUER)" -a -n "$(JWT_AUDIENCE)" || { echo "set JWT_ISSUER and JWT_AUDIENCE (see README: Deploying to real AWS)"; exit 2; }
	PATH="$(NODE_DIR)/node_modules/node/bin:$$PATH" $(CDK_CLI) deploy --app $(ROOT)/cdk.out ClusterForgePlatform \
		--parameters ClusterForgePlatform:JwtIssuer=$(JWT_ISSUER) --parameters ClusterForgePlatform:JwtAudience=$(JWT_AUDIENCE)

## test-infra: CDK assertions and cdk-nag on the synthesized stacks
test-infra: node
	cd infra && $(CDK_ENV) go vet ./... && $(CDK_ENV) go test -count=1 -timeout 10m ./...

## invoke: one Lambda, one event, under aws-lambda-rie against the local cloud
## (make invoke FN=api EVENT=events/api-get-clusters.json [CONTRACT='<make local line>'])
RIE_VERSION  := v0.0.0-20261030222936-bef5c4ba774d
RIE          := $(CACHE)/bin/aws-lambda-rie
$(RIE):
	GOBIN=$(CACHE)/bin GOFLAGS=-mod=mod go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

invoke: $(RIE) functions localcloud node
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=events/<file>.json"; exit 2; }
	@$(GO_BUILD) -o $(CACHE)/bin/invoke ./cmd/invoke
	@CLUSTERFORGE_ROOT=$(ROOT) $(CACHE)/bin/invoke --fn $(FN) --event $(EVENT) --rie $(RIE) --bin $(BIN) --root $(ROOT) --contract '$(CONTRACT)'

clean:
	rm -rf $(BIN) $(CACHE)
