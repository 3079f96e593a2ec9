# The function's everyday commands. `make run` and `make test` are all a
# fresh clone needs.
GO      ?= go
PKGS    ?= ./...
FUZZTIME ?= 30s

.PHONY: run test build lint bench fuzz package clean sandbox

## run: the local function on the embedded offline sandbox (prints an example request)
run:
	$(GO) run ./function/local

## sandbox: the standalone sandbox on 127.0.0.1:8081
sandbox:
	$(GO) run ./sandbox/cmd/sandbox -addr 127.0.0.1:8081

## test: every test with the race detector, fuzz seed corpora included
test: lint
	$(GO) test -race -count=1 $(PKGS)

## build: compile everything
build:
	$(GO) build $(PKGS)

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## bench: the benchmarks behind docs/benchmarks.md
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=6 $(PKGS)

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf dist
