package sandbox

import (
	"sync"
	"time"
)

// limiter is the usage plan: a per-key rate (requests per second, in
// fixed one-second windows of the Server's clock, so tests can step it)
// and a per-key total quota. Only admitted calls count against either.
type limiter struct {
	rate, quota int

	mu   sync.Mutex
	keys map[string]*usage // bounded: only authenticated SecretIds get here
}

type usage struct {
	second   int64 // Unix second of the current rate window
	inSecond int
	total    int
}

func newLimiter(rate, quota int) *limiter {
	return &limiter{rate: rate, quota: quota, keys: map[string]*usage{}}
}

// admit counts one call for key and returns "" or the gateway's 429
// message. The rate is checked first: a call over both limits reports the
// rate.
func (l *limiter) admit(key string, now time.Time) string {
	if l.rate == 0 && l.quota == 0 {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.keys[key]
	if u == nil {
		u = &usage{}
		l.keys[key] = u
	}
	if sec := now.Unix(); sec != u.second {
		u.second, u.inSecond = sec, 0
	}
	if l.rate > 0 && u.inSecond >= l.rate {
		return msgRateLimited
	}
	if l.quota > 0 && u.total >= l.quota {
		return msgQuotaExceeded
	}
	u.inSecond++
	u.total++
	return ""
}

// reset forgets all usage, as a fresh usage plan would.
func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.keys)
}
