# The function's everyday commands. `make run` and `make test` are all a
# fresh clone needs.
GO      ?= go
PKGS    ?= ./...
FUZZTIME ?= 30s

.PHONY: run test test-arm64 build lint bench fuzz package clean sandbox

## run: the local function on the embedded offline sandbox and an embedded S3-compatible store for the upload flow (prints example requests)
run:
	$(GO) run ./function/local

## sandbox: the standalone sandbox on 127.0.0.1:8081
sandbox:
	$(GO) run ./sandbox/cmd/sandbox -addr 127.0.0.1:8081

## test: every test with the race detector, fuzz seed corpora included
test: lint
	$(GO) test -race -count=1 $(PKGS)
	@$(MAKE) --no-print-directory test-arm64

# Lambda deploys arm64 (LAMBDA_ARCH). Tests that start other processes
# (the emulator, the net/rpc runtime, two local instances, the benchmark
# programs) need them built for this machine and stay out; so do the
# interoperability tests, whose clients in other languages would only run
# again, slowly, against a handler the other tests already run on arm64.
ARM64_PKGS ?= ./adapters/... ./core/... ./function/... ./internal/... ./metrics ./sandbox
ARM64_SKIP ?= ^(TestViaEmulator|TestViaRPC|TestSamplesSeeTheSameAnswers|TestOwnClientsAgainstDropIn|TestSharedStateAcrossInstances)$$

## test-arm64: the in-process tests built for arm64 and run under qemu-aarch64 (apt-get install qemu-user); FACEID_TEST_ARM64=required makes its absence an error
test-arm64:
	@if command -v qemu-aarch64 >/dev/null; then \
	  echo "GOARCH=arm64 $(GO) test -count=1 -exec qemu-aarch64 -skip '$(ARM64_SKIP)' $(ARM64_PKGS)"; \
	  GOARCH=arm64 $(GO) test -count=1 -exec qemu-aarch64 -skip '$(ARM64_SKIP)' $(ARM64_PKGS); \
	elif [ "$$FACEID_TEST_ARM64" = required ]; then \
	  echo "qemu-aarch64 not found: arm64 tests required"; exit 1; \
	else \
	  echo "qemu-aarch64 not found: arm64 tests skipped (apt-get install qemu-user)"; \
	fi

## build: compile everything
build:
	$(GO) build $(PKGS)

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	GOARCH=arm64 $(GO) vet ./core/... ./function/... ./internal/... ./metrics

## bench: every figure in docs/benchmarks.md; raw numbers in dist/bench/results.txt (knobs: see bench/run.sh)
bench:
	GO=$(GO) bash bench/run.sh

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf dist

# ---- Deployment packages -------------------------------------------------
# Reproducible: the same source and Go toolchain give byte-identical zips
# (no paths, VCS stamps or build ids in the binaries; fixed zip metadata).
DIST        ?= dist
LAMBDA_ARCH ?= arm64
REPRO_ENV   = CGO_ENABLED=0 GOAMD64=v1 GOARM64=v8.0
REPRO_FLAGS = -trimpath -buildvcs=false -ldflags='-s -w -buildid='
# zipdet runs on this machine, whatever GOOS/GOARCH the builds target.
ZIPDET      = GOOS= GOARCH= $(GO) run ./deploy/cmd/zipdet

.PHONY: build-FaceIdFunction

## package: reproducible zips in $(DIST): scf.zip (SCF Go1, `main`, amd64), lambda-arm64.zip and lambda-amd64.zip (provided.al2023, `bootstrap`)
package:
	rm -rf $(DIST)/scf $(DIST)/lambda-arm64 $(DIST)/lambda-amd64
	mkdir -p $(DIST)/scf $(DIST)/lambda-arm64 $(DIST)/lambda-amd64
	$(REPRO_ENV) GOOS=linux GOARCH=amd64 $(GO) build $(REPRO_FLAGS) -o $(DIST)/scf/main ./function/scf
	$(REPRO_ENV) GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc $(REPRO_FLAGS) -o $(DIST)/lambda-arm64/bootstrap ./function/lambda
	$(REPRO_ENV) GOOS=linux GOARCH=amd64 $(GO) build -tags lambda.norpc $(REPRO_FLAGS) -o $(DIST)/lambda-amd64/bootstrap ./function/lambda
	$(ZIPDET) -o $(DIST)/scf.zip $(DIST)/scf/main
	$(ZIPDET) -o $(DIST)/lambda-arm64.zip $(DIST)/lambda-arm64/bootstrap
	$(ZIPDET) -o $(DIST)/lambda-amd64.zip $(DIST)/lambda-amd64/bootstrap

## build-FaceIdFunction: run by `sam build` (BuildMethod: makefile): bootstrap into $(ARTIFACTS_DIR)
build-FaceIdFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: this target is run by sam build"; exit 1; }
	$(REPRO_ENV) GOOS=linux GOARCH=$(LAMBDA_ARCH) $(GO) build -tags lambda.norpc $(REPRO_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./function/lambda
