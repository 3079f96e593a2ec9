// Package redisstate is the state.Store on Redis: TencentDB for Redis for
// functions on SCF (reached through the function's VPC), or any Redis 2.8
// or later. Claims are SET NX PX; the budget is INCR with EXPIREAT at the
// end of the China day. Each operation that must read and write is one
// Lua script, which Redis runs atomically.
//
// The client is go-redis, Redis's own Go client: URL parsing (password,
// database, TLS for rediss://), pooling and script caching are not worth
// writing again.
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
	"github.com/redis/go-redis/v9"
)

// keyPrefix keeps the function's keys apart in a Redis shared with other
// applications.
const keyPrefix = "faceid:"

// Store implements state.Store on one Redis server (or a cluster's
// proxy, as TencentDB's cluster edition presents itself).
type Store struct {
	c                      *redis.Client
	claim, reserve, refund *redis.Script
}

var _ state.Store = (*Store)(nil)

// Open connects to the Redis at u (redis:// or rediss://, as state.Parse
// accepts it) and checks that it answers: a store that is configured but
// unreachable fails the start rather than every request.
func Open(ctx context.Context, u *url.URL) (*Store, error) {
	if u.Query().Has("skip_verify") {
		return nil, errors.New("redisstate: skip_verify is refused: certificate checks are never switched off")
	}
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		// go-redis names the option or part at fault, never the password.
		return nil, fmt.Errorf("redisstate: %s: %w", u.Redacted(), err)
	}
	// A failed command is not retried: a retried INCR whose answer was
	// lost would count twice. The guard fails closed instead.
	opts.MaxRetries = -1
	// The request's deadline bounds every wait on the store.
	opts.ContextTimeoutEnabled = true
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 2 * time.Second
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 2 * time.Second
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 2 * time.Second
	}
	if opts.TLSConfig != nil {
		opts.TLSConfig.MinVersion = tls.VersionTLS12
	}
	// CLIENT SETINFO is unknown to Redis before 7.2; skip the round trip.
	opts.DisableIdentity = true
	s := &Store{c: redis.NewClient(opts),
		claim: redis.NewScript(claimScript), reserve: redis.NewScript(reserveScript), refund: redis.NewScript(refundScript)}
	if err := s.c.Ping(ctx).Err(); err != nil {
		s.c.Close()
		return nil, fmt.Errorf("redisstate: %s: %w", u.Redacted(), unavailable("ping", err))
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

func (s *Store) Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	r, err := s.claim.Run(ctx, s.c, []string{keyPrefix + key}, value, ms(ttl)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil, nil // expired between the two commands
	case err != nil:
		return false, nil, unavailable("claim", err)
	}
	switch v := r.(type) {
	case int64:
		return v == 1, nil, nil
	case string:
		return false, []byte(v), nil
	}
	return false, nil, unavailable("claim", fmt.Errorf("unexpected answer of type %T", r))
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.c.Set(ctx, keyPrefix+key, value, max(ttl, time.Millisecond)).Err(); err != nil {
		return unavailable("put", err)
	}
	return nil
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.c.Get(ctx, keyPrefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("get", err)
	}
	return v, true, nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.c.Del(ctx, keyPrefix+key).Err(); err != nil {
		return unavailable("delete", err)
	}
	return nil
}

func (s *Store) Reserve(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	n, err := s.reserve.Run(ctx, s.c, []string{keyPrefix + key}, limit, expires.Unix()).Int64()
	if err != nil {
		return false, unavailable("reserve", err)
	}
	return n == 1, nil
}

func (s *Store) Refund(ctx context.Context, key string) error {
	if err := s.refund.Run(ctx, s.c, []string{keyPrefix + key}).Err(); err != nil {
		return unavailable("refund", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.c.Close() }

// ms is a time to live in whole milliseconds, at least one (PX 0 is an
// error).
func ms(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}

func unavailable(op string, err error) error {
	return &state.UnavailableError{Backend: "redis", Op: op, Err: err}
}
