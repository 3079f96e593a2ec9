// Package redisstate is the state.Store on Redis: TencentDB for Redis for
// functions on SCF (reached through the function's VPC), or any other
// Redis. Claims are SET NX PX; the budget is INCR with EXPIREAT at the
// end of the China day. Each operation that must read and write is one
// Lua script, which Redis runs atomically.
//
// The client is redigo: it parses redis:// and rediss:// URLs (password,
// database, TLS), pools connections and runs scripts by hash, and its
// small API keeps the SCF package small. go-redis and rueidis define a
// method per Redis command, and SCF's runtime (net/rpc) makes the linker
// keep every exported method: either would add 2 MB or more to scf.zip.
package redisstate

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/faceid-verify/faceid/state"
	"github.com/gomodule/redigo/redis"
)

// keyPrefix keeps the function's keys apart in a Redis shared with other
// applications.
const keyPrefix = "faceid:"

// Timeouts of one connection; a request's own deadline may cut them
// shorter.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 2 * time.Second
	// idleCheck: a connection idle this long is pinged before use, since
	// a server or proxy may have dropped it meanwhile.
	idleCheck = time.Minute
)

// Store implements state.Store on one Redis server (or a cluster's
// proxy, as TencentDB's cluster edition presents itself).
type Store struct {
	pool                   *redis.Pool
	claim, reserve, refund *redis.Script
}

var _ state.Store = (*Store)(nil)

// Open connects to the Redis at u (redis:// or rediss://, as state.Parse
// accepts it) and checks that it answers: a store that is configured but
// unreachable fails the start rather than every request.
func Open(ctx context.Context, u *url.URL) (*Store, error) {
	raw := u.String()
	opts := []redis.DialOption{
		redis.DialConnectTimeout(dialTimeout),
		redis.DialReadTimeout(ioTimeout),
		redis.DialWriteTimeout(ioTimeout),
		// Used for rediss:// only; the certificate is always checked.
		redis.DialTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}),
	}
	s := &Store{
		pool: &redis.Pool{
			DialContext: func(ctx context.Context) (redis.Conn, error) {
				return redis.DialURLContext(ctx, raw, opts...)
			},
			MaxIdle:     8,
			IdleTimeout: 4 * time.Minute,
			TestOnBorrow: func(c redis.Conn, idle time.Time) error {
				if time.Since(idle) < idleCheck {
					return nil
				}
				_, err := c.Do("PING")
				return err
			},
		},
		claim:   redis.NewScript(1, claimScript),
		reserve: redis.NewScript(1, reserveScript),
		refund:  redis.NewScript(1, refundScript),
	}
	if _, err := s.do(ctx, "ping", "PING"); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("redisstate: %s: %w", u.Redacted(), err)
	}
	return s, nil
}

// Opener opens the Redis cfg names (stores.Opener).
func Opener(ctx context.Context, cfg state.Config) (state.Store, error) {
	s, err := Open(ctx, cfg.URL)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// claimScript creates KEYS[1] = ARGV[1] for ARGV[2] ms unless it exists;
// it answers 1 when the key now holds ARGV[1], else the key's value.
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return 1 end
return cur
`

// reserveScript adds one to KEYS[1] if it is below ARGV[1], expiring it
// at ARGV[2] (epoch seconds); it answers 1 if it did, else 0.
const reserveScript = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
return 1
`

// refundScript takes one from KEYS[1] unless it is zero or absent.
const refundScript = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
`

// do runs one command on a pooled connection. A command is never retried:
// a retried INCR whose answer was lost would count twice, so the guard
// fails closed instead.
func (s *Store) do(ctx context.Context, op, cmd string, args ...any) (any, error) {
	c, err := s.pool.GetContext(ctx)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer c.Close()
	r, err := redis.DoContext(c, ctx, cmd, args...)
	return r, s.check(op, r, err)
}

// script runs one of the store's scripts (EVALSHA, then EVAL the first
// time a server lacks it).
func (s *Store) script(ctx context.Context, op string, sc *redis.Script, args ...any) (any, error) {
	c, err := s.pool.GetContext(ctx)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer c.Close()
	r, err := sc.DoContext(ctx, c, args...)
	return r, s.check(op, r, err)
}

// check turns a failure, or an error reply (a key of another type, an
// unknown command), into an UnavailableError: either way the guard
// cannot be consulted.
func (s *Store) check(op string, r any, err error) error {
	if err == nil {
		if re, ok := r.(redis.Error); ok {
			err = re
		}
	}
	if err != nil {
		return unavailable(op, err)
	}
	return nil
}

func (s *Store) Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	r, err := s.script(ctx, "claim", s.claim, keyPrefix+key, value, ms(ttl))
	if err != nil {
		return false, nil, err
	}
	switch v := r.(type) {
	case int64:
		return v == 1, nil, nil
	case []byte:
		return false, v, nil
	case nil:
		return false, nil, nil // expired between the two commands
	}
	return false, nil, unavailable("claim", fmt.Errorf("unexpected answer of type %T", r))
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.do(ctx, "put", "SET", keyPrefix+key, value, "PX", ms(ttl))
	return err
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	r, err := s.do(ctx, "get", "GET", keyPrefix+key)
	if err != nil {
		return nil, false, err
	}
	v, err := redis.Bytes(r, nil)
	switch {
	case errors.Is(err, redis.ErrNil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("get", err)
	}
	return v, true, nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.do(ctx, "delete", "DEL", keyPrefix+key)
	return err
}

func (s *Store) Reserve(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	r, err := s.script(ctx, "reserve", s.reserve, keyPrefix+key, limit, expires.Unix())
	if err != nil {
		return false, err
	}
	n, err := redis.Int64(r, nil)
	if err != nil {
		return false, unavailable("reserve", err)
	}
	return n == 1, nil
}

func (s *Store) Refund(ctx context.Context, key string) error {
	_, err := s.script(ctx, "refund", s.refund, keyPrefix+key)
	return err
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.pool.Close() }

// ms is a time to live in whole milliseconds, at least one (PX 0 is an
// error).
func ms(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}

func unavailable(op string, err error) error {
	return &state.UnavailableError{Backend: "redis", Op: op, Err: err}
}
