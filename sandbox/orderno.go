package sandbox

import (
	"strconv"
	"sync/atomic"
	"time"
)

// orderEpoch is the origin of order-number timestamps. The product page's
// sample 568753443590770688 reads as a snowflake id (milliseconds << 22);
// the sandbox's numbers have that shape too.
const (
	orderEpochMillis = 1420070400000 // 2015-01-01T00:00:00Z
	orderMinimum     = 100000000000000000
	orderMillisMask  = 1<<41 - 1 // keeps ms<<22 inside 63 bits, so at most 19 digits
)

// orderNumbers issues 18–19 digit order numbers, unique per Server and
// increasing: the time component keeps them unique across restarts, the
// compare-and-swap against the last one issued within a Server.
type orderNumbers struct {
	last atomic.Uint64
}

func (o *orderNumbers) next(now time.Time) string {
	ms := max(now.UnixMilli()-orderEpochMillis, 0) & orderMillisMask
	candidate := uint64(ms) << 22
	if candidate < orderMinimum {
		candidate += orderMinimum // an injected clock before ~2016 still gets 18 digits
	}
	for {
		last := o.last.Load()
		n := max(candidate, last+1)
		if o.last.CompareAndSwap(last, n) {
			return strconv.FormatUint(n, 10)
		}
	}
}
