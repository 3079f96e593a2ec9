#!/usr/bin/env bash
# Reproduces every performance figure in docs/benchmarks.md and writes the
# raw numbers to $BENCH_OUT/results.txt (default dist/bench, ignored by git),
# ending with a summary of the goals, before and after. Run from the
# repository root (make bench does). Timings on shared machines are noisy:
# read medians and the ratios measured within one run.
#
# The "before" side is git commit $BENCH_BEFORE (default 972e786, the last
# with the speed layer), extracted with git archive and built and measured
# by the same programs in the same run, taking turns where timing matters.
# Without that commit (a shallow clone) the before side is skipped.
#
# Knobs (environment): BENCH_BEFORE (a commit, or "" for none),
# BENCH_COUNT (rounds of each go test benchmark, default 6), BENCH_SECONDS
# (per load level / client, default 5), BENCH_ROUNDS (runs of each
# side-by-side client, taking turns, default 3), COLD_RUNS (default 20),
# BENCH_SKIP (space-separated: micro e2e side cold footprint).
set -euo pipefail

GO=${GO:-go}
OUT=${BENCH_OUT:-dist/bench}
BEFORE=${BENCH_BEFORE-972e786}
COUNT=${BENCH_COUNT:-6}
SECONDS_PER=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
COLD_RUNS=${COLD_RUNS:-20}
SKIP=" ${BENCH_SKIP:-} "
ROOT=$(pwd)
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
say "commit (after): $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
say "nproc: $(nproc)"
say "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "mem: $(grep -m1 MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
say "go: $($GO version)"
say "python: $(python3 --version 2>&1 || echo absent)"

# build DIR DEST: the function binaries and coreclient of the tree in DIR.
build() {
	mkdir -p "$2"
	(
		cd "$1"
		CGO_ENABLED=0 $GO build -o "$2/main" ./function/scf
		CGO_ENABLED=0 $GO build -tags lambda.norpc -o "$2/bootstrap" ./function/lambda
		CGO_ENABLED=0 $GO build -o "$2/coreclient" ./bench/cmd/coreclient
	)
}

echo "building the binaries into $BIN" >&2
build "$ROOT" "$BIN"
CGO_ENABLED=0 $GO build -o "$BIN/sandbox" ./sandbox/cmd/sandbox
CGO_ENABLED=0 $GO build -o "$BIN/local" ./function/local
CGO_ENABLED=0 $GO build -o "$BIN/aws-lambda-rie" github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
for cmd in sidebyside loadgen coldstart footprint; do
	CGO_ENABLED=0 $GO build -o "$BIN/$cmd" "./bench/cmd/$cmd"
done

# The before side: its own tree under $OUT/before, its binaries in
# $BIN/before. The sandbox, the emulator and the measuring programs are
# this tree's, shared by both sides.
OLD="$OUT/before"
BBIN="$BIN/before"
rm -rf "$OLD" "$BBIN"
if [[ -z "$BEFORE" ]]; then
	say "before: none (BENCH_BEFORE is empty): only this tree is measured"
elif ! git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
	say "before: commit $BEFORE is not in this clone (shallow? git fetch --unshallow): the before side is skipped"
	BEFORE=""
else
	say "commit (before): $(git log -1 --format='%h %s' "$BEFORE")"
	mkdir -p "$OLD"
	git archive "$BEFORE" | tar -x -C "$OLD"
	echo "building the before side ($BEFORE) into $BBIN" >&2
	build "$OLD" "$BBIN"
fi

# benchstat summarises the go test runs when it is on PATH or installable
# (golang.org/x/perf from the module proxy); without it the raw runs stand.
benchstat=$(command -v benchstat || true)
if [[ -z "$benchstat" ]] && GOBIN="$BIN" GOFLAGS= $GO install golang.org/x/perf/cmd/benchstat@latest >/dev/null 2>&1; then
	benchstat="$BIN/benchstat"
fi

if ! skip micro; then
	# Benchmarks under the same names on both sides, each side's own
	# go test in its own tree, taking turns one -count at a time. Packages
	# or names missing on a side are left out there.
	micro=(
		"core ^(BenchmarkCoreOverhead|BenchmarkFloor)$"
		"core/photo ^(BenchmarkDecodeBase64Into|BenchmarkReadHead)$"
		"core/photo/normalize ^BenchmarkNormalize"
		"adapters/httphandler ^BenchmarkParseJSON$"
		"internal/jsonstr ^BenchmarkUnquote$"
		"internal/form ^BenchmarkParse$"
	)
	section "1. micro-benchmarks, before and after taking turns (go test -bench, $COUNT rounds of -count=1)"
	say "(BenchmarkCoreOverhead and BenchmarkFloor use the 33 KB photo padded to 50 KB, 500 KB and 3 MB: they decode like 33 KB)"
	: >"$OUT/micro-after.txt"
	: >"$OUT/micro-before.txt"
	for ((round = 1; round <= COUNT; round++)); do
		for side in after before; do
			dir=$ROOT
			if [[ $side == before ]]; then
				[[ -n "$BEFORE" ]] || continue
				dir=$OLD
			fi
			for m in "${micro[@]}"; do
				pkg=${m%% *} re=${m#* }
				[[ -d "$dir/$pkg" ]] || continue
				(cd "$dir" && $GO test -run='^$' -bench="$re" -benchmem -count=1 "./$pkg/") >>"$OUT/micro-$side.txt"
			done
		done
	done
	# The before side's core ran three ways; its /tuned is the one Verify
	# took, which this tree's BenchmarkCoreOverhead names by size alone.
	sed -i -E '/^BenchmarkCoreOverhead\/(buffered|baseline)\//d; s#^BenchmarkCoreOverhead/tuned/#BenchmarkCoreOverhead/#' "$OUT/micro-before.txt"
	for side in before after; do
		[[ -s "$OUT/micro-$side.txt" ]] || continue
		say "### $side"
		grep -E '^(Benchmark|pkg:)' "$OUT/micro-$side.txt" | tee -a "$RES" >/dev/null
	done
	if [[ -n "$benchstat" ]]; then
		section "benchstat (medians, ±95% interval; before vs after where both have the benchmark)"
		if [[ -n "$BEFORE" ]]; then
			"$benchstat" before="$OUT/micro-before.txt" after="$OUT/micro-after.txt" | tee -a "$RES"
		else
			"$benchstat" "$OUT/micro-after.txt" | tee -a "$RES"
		fi
	fi
	section "core overhead against BenchmarkFloor (median ns/op)"
	for side in before after; do
		[[ -s "$OUT/micro-$side.txt" ]] || continue
		awk -v side="$side" '
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
					for (m in med) if (m == "BenchmarkCoreOverhead/" sizes[s] && f > 0)
						printf "ratio side=%s %s median_ns=%.0f floor_ns=%.0f x_floor=%.2f\n", side, m, med[m], f, med[m] / f
				}
			}' "$OUT/micro-$side.txt" | sort | tee -a "$RES"
	done
fi

if ! skip e2e; then
	section "2. end to end: local function -> TLS sandbox, loadgen (${SECONDS_PER}s per level; this tree only)"
	"$BIN/loadgen" -sandbox "$BIN/sandbox" -local "$BIN/local" -c 1,8,16 -seconds "$SECONDS_PER" \
		-photos testdata/photos/small-320x240.jpg,pad:500000 | tee -a "$RES"
fi

if ! skip side; then
	section "3. CPU per call: core, before and after, vs the floor and the product page's samples (${SECONDS_PER}s each, $ROUNDS rounds taking turns)"
	say "(real photos: 33 KB 320x240; the 2048x2048 photo at quality 90, 485 KB; the same 2.2 MB photo padded to 3 MB)"
	py=python3
	command -v python3 >/dev/null || { say "python3 absent: Python sample skipped"; py=""; }
	before=()
	[[ -n "$BEFORE" ]] && before=(-before "$BBIN/coreclient")
	"$BIN/sidebyside" -sandbox "$BIN/sandbox" -coreclient "$BIN/coreclient" "${before[@]}" -python "$py" \
		-clients core,before,go,python,floor-sync,floor -seconds "$SECONDS_PER" -rounds "$ROUNDS" | tee -a "$RES"
fi

if ! skip cold; then
	section "4. cold start, median of $COLD_RUNS"
	# The before side's binaries take turns with this tree's, run by run.
	before=()
	[[ -n "$BEFORE" ]] && before=(-before-bootstrap "$BBIN/bootstrap" -before-scf "$BBIN/main")
	"$BIN/coldstart" -sandbox "$BIN/sandbox" -rie "$BIN/aws-lambda-rie" -bootstrap "$BIN/bootstrap" \
		-scf "$BIN/main" -runs "$COLD_RUNS" "${before[@]}" | tee -a "$RES"
fi

if ! skip footprint; then
	# The deploy files' setting: one for both clouds (deploy tests).
	memlimit=$(sed -n 's/^ *GOMEMLIMIT: *//p' template.yaml)
	section "5. package sizes (make package) and peak RSS over the worst admissible photos, GOMEMLIMIT=$memlimit"
	for side in after before; do
		dir=$ROOT bin=$BIN
		if [[ $side == before ]]; then
			[[ -n "$BEFORE" ]] || continue
			dir=$OLD bin=$BBIN
		fi
		say "### $side"
		make --no-print-directory -C "$dir" package GO="$GO" DIST="$OUT/dist-$side" >"$OUT/package-$side.log" 2>&1 ||
			{ cat "$OUT/package-$side.log" >&2; exit 1; }
		# The before side may fail a case the after side passes: say so and go on.
		"$BIN/footprint" -dist "$OUT/dist-$side" -sandbox "$BIN/sandbox" -rie "$BIN/aws-lambda-rie" -bootstrap "$bin/bootstrap" \
			-scf "$bin/main" -gomemlimit "$memlimit" -side "$side" 2>&1 | tee -a "$RES" || [[ $side == before ]]
	done
fi

section "summary: the goals, before and after (from the goal lines above)"
awk '
	/^goal / {
		delete f
		for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); f[k] = v }
		id = f["id"]
		if (!(id in want)) order[++n] = id
		want[id] = f["want"]; val[id, f["side"]] = f["value"]; met[id, f["side"]] = f["met"]
	}
	END {
		printf "%-34s %-12s %-12s %-10s %s\n", "goal", "before", "after", "want", "after met"
		for (i = 1; i <= n; i++) {
			id = order[i]
			b = ((id, "before") in val) ? val[id, "before"] : "-"
			a = ((id, "after") in val) ? val[id, "after"] : "-"
			m = ((id, "after") in met) ? (met[id, "after"] == "true" ? "met" : "NOT MET") : "not measured"
			printf "%-34s %-12s %-12s %-10s %s\n", id, b, a, want[id], m
		}
	}' "$RES" | tee "$OUT/summary.txt" | tee -a "$RES"

echo "raw numbers: $RES" >&2
