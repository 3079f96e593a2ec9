package core

import (
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/core/photo/decode"
)

// DefaultEndpoint is the product page's address of the face–ID-card API.
const DefaultEndpoint = "https://service-ndq49qvj-1256140209.ap-shanghai.apigateway.myqcloud.com/release/face_id_card/post"

// EnvPrefix prefixes every environment variable. SCF reserves SCF_, QCLOUD_
// and TENCENTCLOUD_, so the function uses its own. Package config reads
// them, into Config by its envconfig tags among others.
const EnvPrefix = "FACEID"

// Secret is a string that never prints: fmt, slog and encoding/json all see
// "[redacted]", so a config can be logged whole without leaking the key.
type Secret string

const redacted = "[redacted]"

func (s Secret) String() string               { return redacted }
func (s Secret) GoString() string             { return redacted }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) Reveal() string               { return string(s) }
func (s *Secret) Decode(v string) error       { *s = Secret(v); return nil }

// Config is everything the client needs. The zero value plus an endpoint and
// a key pair is usable: WithDefaults fills the rest. Each field's
// envconfig tag names its variable (FACEID_ + tag), which package config
// reads.
type Config struct {
	Endpoint  string `envconfig:"ENDPOINT"`
	SecretID  string `envconfig:"SECRET_ID"`
	SecretKey Secret `envconfig:"SECRET_KEY"`
	// SecretKeyFile, when set, holds the secret key (e.g. a mounted secret),
	// so it need not sit in a plain environment variable.
	SecretKeyFile string `envconfig:"SECRET_KEY_FILE"`
	// Source is the legacy schemes' signature watermark, as the market's
	// samples send it; the Cloud Market scheme has none.
	Source string `envconfig:"SOURCE"`
	// Signature picks the signature scheme: auto (default: cloudmarket for
	// a *.cloudmarket-apigw.com endpoint, else x-date), cloudmarket (the
	// Cloud Market API gateway's JSON header), x-date (X-Date/X-Source, the
	// legacy gateway's market samples) or date (Date/Source, its older demo).
	Signature string `envconfig:"SIGNATURE"`
	// SignedHeaders is the old name of Signature, still read; set both
	// and they must agree.
	SignedHeaders hmacauth.Variant `envconfig:"SIGNED_HEADERS"`
	// CAFile adds a PEM CA bundle to the system roots (e.g. a TLS sandbox).
	CAFile string `envconfig:"CA_FILE"`

	DialTimeout           time.Duration `envconfig:"DIAL_TIMEOUT"`
	TLSHandshakeTimeout   time.Duration `envconfig:"TLS_HANDSHAKE_TIMEOUT"`
	ResponseHeaderTimeout time.Duration `envconfig:"RESPONSE_HEADER_TIMEOUT"`
	// Timeout caps one upstream call; the caller's context may cut it shorter.
	Timeout time.Duration `envconfig:"TIMEOUT"`
	// DeadlineMargin is kept back from the caller's deadline so the function
	// can still answer (and log) before the platform kills it.
	DeadlineMargin time.Duration `envconfig:"DEADLINE_MARGIN"`

	// ImageNormalize is "auto" (default: apply EXIF orientation, shrink
	// photos over the size or side limit) or "off" (refuse them instead).
	ImageNormalize string `envconfig:"IMAGE_NORMALIZE"`
	// MaxInputBytes bounds a photo before normalisation (default 10 MB).
	MaxInputBytes    int `envconfig:"MAX_INPUT_BYTES"`
	MaxImageBytes    int `envconfig:"MAX_IMAGE_BYTES"`
	MaxImageSide     int `envconfig:"MAX_IMAGE_SIDE"`
	MaxImagePixels   int `envconfig:"MAX_IMAGE_PIXELS"`
	MinImageSide     int `envconfig:"MIN_IMAGE_SIDE"`
	MaxURLLength     int `envconfig:"MAX_URL_LENGTH"`
	MaxResponseBytes int `envconfig:"MAX_RESPONSE_BYTES"`
	// AllowLoopbackPhotoURLs accepts photo URLs on this machine (127.0.0.1,
	// [::1], localhost), for local runs and tests against the sandbox,
	// which fetches from loopback. Only with a loopback endpoint: the real
	// seller cannot fetch them.
	AllowLoopbackPhotoURLs bool `envconfig:"ALLOW_LOOPBACK_PHOTO_URLS"`
	// DecodeMemory is how many bytes decoding photos may hold at once,
	// across all requests (decode.Budget): half of GOMEMLIMIT by default.
	// A photo needing more is refused; others wait up to DecodeWait.
	DecodeMemory int64         `envconfig:"DECODE_MEMORY"`
	DecodeWait   time.Duration `envconfig:"DECODE_WAIT"`

	SameThreshold      float64 `envconfig:"SAME_THRESHOLD"`
	UncertainThreshold float64 `envconfig:"UNCERTAIN_THRESHOLD"`

	// MaxAttempts bounds tries per verification (1 = never retry). Retries
	// happen only when the upstream provably never saw the request.
	MaxAttempts    int           `envconfig:"MAX_ATTEMPTS"`
	RetryBaseDelay time.Duration `envconfig:"RETRY_BASE_DELAY"`
	RetryMaxDelay  time.Duration `envconfig:"RETRY_MAX_DELAY"`
	// MaxRetryAfter is the longest 429 Retry-After worth waiting for.
	MaxRetryAfter time.Duration `envconfig:"MAX_RETRY_AFTER"`
	// BreakerThreshold consecutive upstream failures open the circuit for
	// BreakerCooldown; a negative threshold disables the breaker.
	BreakerThreshold int           `envconfig:"BREAKER_THRESHOLD"`
	BreakerCooldown  time.Duration `envconfig:"BREAKER_COOLDOWN"`
	// DailyBudget caps paid calls per China day (0 = no cap): per instance
	// with the in-memory state store, for all instances together with a
	// shared one (FACEID_STATE, see WithState).
	DailyBudget int `envconfig:"DAILY_BUDGET"`
	// PriceFen is the price of one call in fen, for the spend metrics.
	PriceFen int64 `envconfig:"PRICE_FEN"`
}

// WithDefaults returns c with every unset field at its default.
func (c Config) WithDefaults() Config {
	setStr := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	setDur := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	setInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setStr(&c.Endpoint, DefaultEndpoint)
	setStr(&c.Source, "market")
	if c.Signature == "" {
		c.Signature = string(c.SignedHeaders)
	}
	setStr(&c.Signature, signatureAuto)
	setDur(&c.DialTimeout, 3*time.Second)
	setDur(&c.TLSHandshakeTimeout, 5*time.Second)
	setDur(&c.ResponseHeaderTimeout, 15*time.Second)
	setDur(&c.Timeout, 20*time.Second)
	setDur(&c.DeadlineMargin, 500*time.Millisecond)
	setStr(&c.ImageNormalize, "auto")
	setInt(&c.MaxInputBytes, 10<<20)
	setInt(&c.MaxImageBytes, 3<<20)
	setInt(&c.MaxImageSide, 8000)
	setInt(&c.MaxImagePixels, 40_000_000)
	setInt(&c.MinImageSide, 32)
	setInt(&c.MaxURLLength, 2048)
	setInt(&c.MaxResponseBytes, 64<<10)
	if c.DecodeMemory == 0 {
		c.DecodeMemory = decode.DefaultSize()
	}
	setDur(&c.DecodeWait, decode.DefaultWait)
	setInt(&c.MaxAttempts, 3)
	setDur(&c.RetryBaseDelay, 100*time.Millisecond)
	setDur(&c.RetryMaxDelay, time.Second)
	setDur(&c.MaxRetryAfter, 2*time.Second)
	setInt(&c.BreakerThreshold, 5)
	setDur(&c.BreakerCooldown, 30*time.Second)
	if c.PriceFen == 0 {
		c.PriceFen = 100
	}
	if c.SameThreshold == 0 {
		c.SameThreshold = codes.DefaultSameThreshold
	}
	if c.UncertainThreshold == 0 {
		c.UncertainThreshold = codes.DefaultUncertainThreshold
	}
	return c
}

// minDecodeMemory is the least decode memory that makes sense: a 1-MP
// photo needs 1.5–4 MB, and a value in MiB or MB mistaken for bytes is
// far below it.
const minDecodeMemory = 4 << 20

// ConfigError names the setting that is wrong; it never carries a secret.
type ConfigError struct {
	Key    string
	Reason string
}

func (e *ConfigError) Error() string { return "config: " + e.Key + ": " + e.Reason }

// Validate reports the first problem with a defaulted config.
func (c Config) Validate() error {
	if c.SecretID == "" {
		return &ConfigError{EnvPrefix + "_SECRET_ID", "required"}
	}
	if c.SecretKey == "" {
		return &ConfigError{EnvPrefix + "_SECRET_KEY", "required (or " + EnvPrefix + "_SECRET_KEY_FILE)"}
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" {
		return &ConfigError{EnvPrefix + "_ENDPOINT", "not an absolute URL"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		// Plain HTTP only to this machine (the sandbox); never over a network.
	case u.Scheme == "http":
		return &ConfigError{EnvPrefix + "_ENDPOINT", "plain http is allowed only for loopback hosts"}
	default:
		return &ConfigError{EnvPrefix + "_ENDPOINT", "scheme must be https"}
	}
	if u.User != nil {
		return &ConfigError{EnvPrefix + "_ENDPOINT", "must not contain credentials"}
	}
	if c.AllowLoopbackPhotoURLs && !isLoopback(u.Hostname()) {
		return &ConfigError{EnvPrefix + "_ALLOW_LOOPBACK_PHOTO_URLS", "only with a loopback " + EnvPrefix + "_ENDPOINT (the sandbox): the seller cannot fetch this machine"}
	}
	if err := c.validateSignature(); err != nil {
		return err
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"DIAL_TIMEOUT", c.DialTimeout}, {"TLS_HANDSHAKE_TIMEOUT", c.TLSHandshakeTimeout},
		{"RESPONSE_HEADER_TIMEOUT", c.ResponseHeaderTimeout}, {"TIMEOUT", c.Timeout},
		{"RETRY_BASE_DELAY", c.RetryBaseDelay}, {"RETRY_MAX_DELAY", c.RetryMaxDelay},
		{"MAX_RETRY_AFTER", c.MaxRetryAfter}, {"BREAKER_COOLDOWN", c.BreakerCooldown},
		{"DECODE_WAIT", c.DecodeWait}} {
		if d.v <= 0 {
			return &ConfigError{EnvPrefix + "_" + d.key, "must be positive"}
		}
	}
	if c.ImageNormalize != "auto" && c.ImageNormalize != "off" {
		return &ConfigError{EnvPrefix + "_IMAGE_NORMALIZE", `must be "auto" or "off"`}
	}
	if c.DailyBudget < 0 {
		return &ConfigError{EnvPrefix + "_DAILY_BUDGET", "must not be negative"}
	}
	if c.PriceFen < 0 {
		return &ConfigError{EnvPrefix + "_PRICE_FEN", "must not be negative"}
	}
	if c.DecodeMemory < minDecodeMemory {
		return &ConfigError{EnvPrefix + "_DECODE_MEMORY", "must be at least 4 MiB (in bytes)"}
	}
	if c.DeadlineMargin < 0 {
		return &ConfigError{EnvPrefix + "_DEADLINE_MARGIN", "must not be negative"}
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"MAX_IMAGE_BYTES", c.MaxImageBytes}, {"MAX_IMAGE_SIDE", c.MaxImageSide},
		{"MAX_IMAGE_PIXELS", c.MaxImagePixels}, {"MIN_IMAGE_SIDE", c.MinImageSide},
		{"MAX_URL_LENGTH", c.MaxURLLength}, {"MAX_RESPONSE_BYTES", c.MaxResponseBytes},
		{"MAX_ATTEMPTS", c.MaxAttempts}, {"MAX_INPUT_BYTES", c.MaxInputBytes}} {
		if n.v <= 0 {
			return &ConfigError{EnvPrefix + "_" + n.key, "must be positive"}
		}
	}
	if !(0 < c.UncertainThreshold && c.UncertainThreshold <= c.SameThreshold && c.SameThreshold <= 1) {
		return &ConfigError{EnvPrefix + "_SAME_THRESHOLD", "thresholds must satisfy 0 < uncertain <= same <= 1"}
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
