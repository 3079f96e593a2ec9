package state

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultMemoryEntries bounds the in-memory store: an idempotent answer is
// well under 1 KB, so the bound keeps it to a few megabytes.
const DefaultMemoryEntries = 10_000

// Memory is the in-process Store, the default: one instance's guards, lost
// when the instance ends. Past its bound it forgets the records written
// longest ago, expired ones first; its counters are never forgotten before
// they expire.
type Memory struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[string]*memEntry
	order   *list.List // of *memEntry, least recently written first
	// counters are kept apart and never evicted: forgetting one would
	// reset a budget. There is one per period.
	counters map[string]*counter
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
	elem    *list.Element
}

type counter struct {
	n       int64
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty store of at most maxEntries records (≤ 0:
// DefaultMemoryEntries) on the clock now (nil: time.Now).
func NewMemory(maxEntries int, now func() time.Time) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryEntries
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, max: maxEntries, entries: map[string]*memEntry{}, order: list.New(),
		counters: map[string]*counter{}}
}

// live returns key's unexpired record. Callers hold mu.
func (m *Memory) live(key string, now time.Time) *memEntry {
	e := m.entries[key]
	if e == nil {
		return nil
	}
	if !now.Before(e.expires) {
		m.remove(e)
		return nil
	}
	return e
}

func (m *Memory) remove(e *memEntry) {
	m.order.Remove(e.elem)
	delete(m.entries, e.key)
}

// write replaces key's record, making room first: past the bound, the
// expired records go, then (if still full) the oldest sixteenth, so that
// the sweep's cost is shared by many writes. Callers hold mu.
func (m *Memory) write(key string, value []byte, expires, now time.Time) {
	if e := m.entries[key]; e != nil {
		m.remove(e)
	}
	if len(m.entries) >= m.max {
		for el := m.order.Front(); el != nil; {
			next := el.Next()
			if e := el.Value.(*memEntry); !now.Before(e.expires) {
				m.remove(e)
			}
			el = next
		}
		for len(m.entries) >= m.max-m.max/16 && m.order.Len() > 0 {
			m.remove(m.order.Front().Value.(*memEntry))
		}
	}
	e := &memEntry{key: key, value: value, expires: expires}
	e.elem = m.order.PushBack(e)
	m.entries[key] = e
}

func (m *Memory) Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e := m.live(key, now); e != nil {
		if string(e.value) == string(value) {
			return true, nil, nil
		}
		return false, clone(e.value), nil
	}
	m.write(key, clone(value), now.Add(ttl), now)
	return true, nil, nil
}

func (m *Memory) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.write(key, clone(value), now.Add(ttl), now)
	return nil
}

func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.live(key, m.now()); e != nil {
		return clone(e.value), true, nil
	}
	return nil, false, nil
}

func (m *Memory) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[key]; e != nil {
		m.remove(e)
	}
	return nil
}

func (m *Memory) Reserve(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	c := m.counters[key]
	if c == nil {
		for k, old := range m.counters { // the days gone by
			if !now.Before(old.expires) {
				delete(m.counters, k)
			}
		}
		c = &counter{expires: expires}
		m.counters[key] = c
	}
	if c.n >= limit {
		return false, nil
	}
	c.n++
	return true, nil
}

func (m *Memory) Refund(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.counters[key]; c != nil && c.n > 0 {
		c.n--
	}
	return nil
}

// Close does nothing: the memory goes with the process.
func (m *Memory) Close() error { return nil }

func clone(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return append([]byte(nil), b...)
}
