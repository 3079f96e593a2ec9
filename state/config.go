package state

import (
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// Kind names a store.
type Kind string

// The stores FACEID_STATE can name.
const (
	KindMemory   Kind = "memory"
	KindDynamoDB Kind = "dynamodb"
	KindRedis    Kind = "redis"
)

// Config says which store the guards share. Its String and LogValue hide
// a Redis password, so it can be logged whole.
type Config struct {
	Kind Kind
	// Table is the DynamoDB table (KindDynamoDB).
	Table string
	// URL is the Redis URL (KindRedis): redis:// or rediss:// (TLS), with
	// the password and database number in it.
	URL *url.URL
}

// Shared reports whether the store is shared between instances.
func (c Config) Shared() bool { return c.Kind == KindDynamoDB || c.Kind == KindRedis }

func (c Config) String() string {
	switch c.Kind {
	case KindDynamoDB:
		return "dynamodb://" + c.Table
	case KindRedis:
		if c.URL != nil {
			return c.URL.Redacted()
		}
	}
	return string(c.Kind)
}

func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Usage is what FACEID_STATE may be, for error messages.
const Usage = `"memory", "dynamodb://TABLE", "redis://[[user]:password@]host[:port][/db]" or "rediss://…" (TLS)`

// Parse reads a store's name: "memory", "dynamodb://TABLE", or a Redis URL
// ("redis://…", "rediss://…" for TLS). Its error says what is wrong and
// never repeats the value, which may hold a password.
func Parse(s string) (Config, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Config{}, errors.New("is empty; want " + Usage)
	case s == string(KindMemory):
		return Config{Kind: KindMemory}, nil
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Config{}, errors.New("unknown store; want " + Usage)
	}
	switch strings.ToLower(scheme) {
	case "dynamodb":
		if err := checkTable(rest); err != nil {
			return Config{}, err
		}
		return Config{Kind: KindDynamoDB, Table: rest}, nil
	case "redis", "rediss":
		u, err := parseRedis(s)
		if err != nil {
			return Config{}, err
		}
		return Config{Kind: KindRedis, URL: u}, nil
	}
	return Config{}, errors.New("unknown store scheme; want " + Usage)
}

// checkTable applies DynamoDB's rules for table names: 3 to 255 of
// a-z, A-Z, 0-9, '_', '-' and '.'.
func checkTable(name string) error {
	if len(name) < 3 || len(name) > 255 {
		return errors.New("dynamodb table name must be 3-255 characters")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return errors.New("dynamodb table name may hold only letters, digits, '_', '-' and '.'")
		}
	}
	return nil
}

// parseRedis checks the parts of a Redis URL the client reads: scheme,
// user and password, host, port and database. Query parameters are
// refused rather than ignored.
func parseRedis(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error's text quotes the whole URL, password included.
		return nil, errors.New("redis URL cannot be parsed; want " + Usage)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("redis URL needs a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("redis URL port must be 1-65535")
		}
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 || n > 1<<16 {
			return nil, errors.New("redis URL path must be empty or /DB, a database number")
		}
	}
	if u.Fragment != "" {
		return nil, errors.New("redis URL must not have a fragment")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, errors.New("redis URL takes no query parameters")
	}
	return u, nil
}
