package main

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core"
)

// applyMemoryLimit gives the Go runtime the GOMEMLIMIT of the function's
// configuration. The runtime reads the variable only at start, and SCF
// sets the configuration's variables at each invocation (os.Setenv), after
// it: without this the function would run with no soft limit, and with
// decode memory sized for none (decode.DefaultSize: 128 MiB, all of a
// 128 MB function). A limit the process started with stays.
func applyMemoryLimit() error {
	v, ok := os.LookupEnv("GOMEMLIMIT")
	if !ok || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return nil
	}
	n, err := parseMemoryLimit(v)
	if err != nil {
		return &core.ConfigError{Key: "GOMEMLIMIT", Reason: "must be a byte count such as 115MiB, as the Go runtime reads it"}
	}
	debug.SetMemoryLimit(n)
	return nil
}

// parseMemoryLimit reads GOMEMLIMIT as the runtime does: "off", or a
// whole number of bytes with an optional unit B, KiB, MiB, GiB or TiB.
func parseMemoryLimit(s string) (int64, error) {
	if s == "off" {
		return math.MaxInt64, nil
	}
	shift := 0
	for i, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if rest, ok := strings.CutSuffix(s, unit); ok {
			s, shift = rest, 10*(i+1)
			break
		}
	}
	if shift == 0 {
		s = strings.TrimSuffix(s, "B")
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil || n > math.MaxInt64>>shift {
		return 0, strconv.ErrSyntax
	}
	return int64(n) << shift, nil
}
