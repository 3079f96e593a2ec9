#!/usr/bin/env bash
# Reproduces every performance figure in docs/benchmarks.md and writes the
# raw numbers to $BENCH_OUT/results.txt (default dist/bench, ignored by git).
# Run from the repository root (make bench does). Timings on shared machines
# are noisy: read medians and the ratios measured within one run.
#
# Knobs (environment): BENCH_COUNT (go test -count, default 6),
# BENCH_SECONDS (per load level / client, default 5), BENCH_ROUNDS (runs of
# each side-by-side client, taking turns, default 3), COLD_RUNS (default 20),
# BENCH_SKIP (space-separated: micro e2e side cold footprint normalize).
set -euo pipefail

GO=${GO:-go}
OUT=${BENCH_OUT:-dist/bench}
COUNT=${BENCH_COUNT:-6}
SECONDS_PER=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
COLD_RUNS=${COLD_RUNS:-20}
SKIP=" ${BENCH_SKIP:-} "
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN="$OUT/bin"
RES="$OUT/results.txt"

mkdir -p "$BIN"
: >"$RES"
say() { echo "$@" | tee -a "$RES"; }
skip() { [[ "$SKIP" == *" $1 "* ]]; }
section() { say ""; say "## $*"; }

section "machine"
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
say "nproc: $(nproc)"
say "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "mem: $(grep -m1 MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
say "go: $($GO version)"
say "python: $(python3 --version 2>&1 || echo absent)"

echo "building the binaries into $BIN" >&2
CGO_ENABLED=0 $GO build -o "$BIN/sandbox" ./sandbox/cmd/sandbox
CGO_ENABLED=0 $GO build -o "$BIN/local" ./function/local
CGO_ENABLED=0 $GO build -o "$BIN/main" ./function/scf
CGO_ENABLED=0 $GO build -tags lambda.norpc -o "$BIN/bootstrap" ./function/lambda
CGO_ENABLED=0 $GO build -o "$BIN/aws-lambda-rie" github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
for cmd in coreclient sidebyside loadgen coldstart footprint; do
	CGO_ENABLED=0 $GO build -o "$BIN/$cmd" "./bench/cmd/$cmd"
done

# benchstat summarises the go test runs when it is on PATH or installable
# (golang.org/x/perf from the module proxy); without it the raw runs stand.
benchstat=$(command -v benchstat || true)
if [[ -z "$benchstat" ]] && GOBIN="$BIN" GOFLAGS= $GO install golang.org/x/perf/cmd/benchstat@latest >/dev/null 2>&1; then
	benchstat="$BIN/benchstat"
fi

if ! skip micro; then
	section "1. core overhead per verification vs the floor (go test -bench, -count=$COUNT)"
	$GO test -run='^$' -bench='^(BenchmarkCoreOverhead|BenchmarkFloor)$' -benchmem -count="$COUNT" ./core/ | tee "$OUT/core.txt" | tee -a "$RES"
	{
		$GO test -run='^$' -bench='^BenchmarkDecodeBase64$//^std$' -benchmem -count="$COUNT" ./core/photo/
		$GO test -run='^$' -bench='^(BenchmarkDecodeBase64Into|BenchmarkReadHead)$' -benchmem -count="$COUNT" ./core/photo/
	} | tee "$OUT/photo.txt" | tee -a "$RES"
	# Request parsing: the function's JSON and form bodies and the platform
	# events' escaped strings.
	{
		$GO test -run='^$' -bench='^BenchmarkParseJSON$' -benchmem -count="$COUNT" ./adapters/httphandler/
		$GO test -run='^$' -bench='^BenchmarkUnquote$' -benchmem -count="$COUNT" ./internal/jsonstr/
		$GO test -run='^$' -bench='^BenchmarkParse$' -benchmem -count="$COUNT" ./internal/form/
	} | tee "$OUT/parse.txt" | tee -a "$RES"
	if [[ -n "$benchstat" ]]; then
		section "benchstat (medians, ±95% interval)"
		"$benchstat" "$OUT/core.txt" | tee -a "$RES"
		"$benchstat" "$OUT/photo.txt" | tee -a "$RES"
		"$benchstat" "$OUT/parse.txt" | tee -a "$RES"
	fi
	section "ratios to the floor (median ns/op)"
	awk '
		/^Benchmark/ {
			name = $1; sub(/-[0-9]+$/, "", name)
			for (i = 2; i <= NF; i++) if ($(i+1) == "ns/op") { v[name] = v[name] " " $i }
		}
		END {
			for (n in v) {
				k = split(substr(v[n], 2), a, " ")
				for (i = 2; i <= k; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j+1] = a[j]; a[j+1] = x }
				med[n] = (k % 2) ? a[(k+1)/2] : (a[k/2] + a[k/2+1]) / 2
			}
			split("50KB 500KB 3MB", sizes, " ")
			for (s = 1; s <= 3; s++) {
				f = med["BenchmarkFloor/" sizes[s]]
				for (m in med) if (m ~ ("/" sizes[s] "$") && m !~ /Floor/ && f > 0)
					printf "ratio %s median_ns=%.0f floor_ns=%.0f x_floor=%.2f\n", m, med[m], f, med[m] / f
			}
		}' "$OUT/core.txt" | sort | tee -a "$RES"
fi

if ! skip e2e; then
	section "2. end to end: local function -> TLS sandbox, loadgen (${SECONDS_PER}s per level)"
	"$BIN/loadgen" -sandbox "$BIN/sandbox" -local "$BIN/local" -c 1,8,64 -seconds "$SECONDS_PER" \
		-photos testdata/photos/small-320x240.jpg,pad:500000 | tee -a "$RES"
fi

if ! skip side; then
	section "3. side by side: core client vs the spec's Python and Go samples (${SECONDS_PER}s each, $ROUNDS rounds)"
	py=python3
	command -v python3 >/dev/null || { say "python3 absent: Python sample skipped"; py=""; }
	"$BIN/sidebyside" -sandbox "$BIN/sandbox" -coreclient "$BIN/coreclient" -python "$py" -seconds "$SECONDS_PER" -rounds "$ROUNDS" | tee -a "$RES"
fi

if ! skip cold; then
	section "4. cold start, median of $COLD_RUNS"
	"$BIN/coldstart" -sandbox "$BIN/sandbox" -rie "$BIN/aws-lambda-rie" -bootstrap "$BIN/bootstrap" \
		-scf "$BIN/main" -runs "$COLD_RUNS" | tee -a "$RES"
fi

if ! skip footprint; then
	section "5. package sizes (make package) and peak RSS with a 3 MB photo"
	make --no-print-directory package >"$OUT/package.log" 2>&1 || { cat "$OUT/package.log" >&2; exit 1; }
	"$BIN/footprint" -dist dist -sandbox "$BIN/sandbox" -rie "$BIN/aws-lambda-rie" -bootstrap "$BIN/bootstrap" \
		-scf "$BIN/main" | tee -a "$RES"
fi

if ! skip normalize; then
	section "6. image normalisation (decode + orient + downscale + encode), -count=$COUNT"
	$GO test -run='^$' -bench='^BenchmarkNormalize' -benchmem -count="$COUNT" ./core/photo/normalize/ | tee "$OUT/normalize.txt" | tee -a "$RES"
	if [[ -n "$benchstat" ]]; then
		"$benchstat" "$OUT/normalize.txt" | tee -a "$RES"
	fi
fi

echo "raw numbers: $RES" >&2
