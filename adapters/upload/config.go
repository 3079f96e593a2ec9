package upload

import (
	"fmt"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// Config says where uploads are read from and results written to. The zero
// value plus WithDefaults is the documented default layout. The envconfig
// tags name the variables (FACEID_ + tag) package config reads.
type Config struct {
	// UploadPrefix: only keys under it are verified.
	UploadPrefix string `envconfig:"UPLOAD_PREFIX" default:"uploads/"`
	// ResultPrefix: the result of <key> is <ResultPrefix><key>.json.
	ResultPrefix string `envconfig:"RESULT_PREFIX" default:"results/"`
	// ResultBucket receives results and claims; empty means the upload's
	// own bucket (in the upload's region).
	ResultBucket string `envconfig:"RESULT_BUCKET"`
	// ClaimPrefix holds the claim markers (hashed names, no personal data).
	ClaimPrefix string `envconfig:"CLAIM_PREFIX" default:"results/.claims/"`
	// DeleteSource deletes the photo once its result is written (privacy).
	DeleteSource bool `envconfig:"DELETE_SOURCE"`
	// ClaimTTL is how long a claim without a result counts as in progress.
	// After it the attempt is presumed dead and recorded as "unknown"
	// without another call, so it must exceed the upstream call timeout
	// plus the time to write the result.
	ClaimTTL time.Duration `envconfig:"CLAIM_TTL" default:"90s"`
	// MACKey authenticates the uploads the function issues (ticket.go):
	// POST /uploads needs it, and the pipeline refuses uploads under
	// <UploadPrefix>issued/ without it. At least MinMACKeyLen bytes.
	MACKey core.Secret `envconfig:"UPLOAD_MAC_KEY"`
}

// Defaults of the Config fields.
const (
	DefaultUploadPrefix = "uploads/"
	DefaultResultPrefix = "results/"
	DefaultClaimPrefix  = "results/.claims/"
	DefaultClaimTTL     = 90 * time.Second
)

// WithDefaults returns c with unset fields at their defaults.
func (c Config) WithDefaults() Config {
	if c.UploadPrefix == "" {
		c.UploadPrefix = DefaultUploadPrefix
	}
	if c.ResultPrefix == "" {
		c.ResultPrefix = DefaultResultPrefix
	}
	if c.ClaimPrefix == "" {
		c.ClaimPrefix = DefaultClaimPrefix
	}
	if c.ClaimTTL == 0 {
		c.ClaimTTL = DefaultClaimTTL
	}
	return c
}

// Validate reports the first problem with a defaulted config, naming the
// environment variable.
func (c Config) Validate() error {
	key := func(k string) string { return core.EnvPrefix + "_" + k }
	switch {
	case c.UploadPrefix == "":
		return &core.ConfigError{Key: key("UPLOAD_PREFIX"), Reason: "required"}
	case c.ResultPrefix == "":
		return &core.ConfigError{Key: key("RESULT_PREFIX"), Reason: "required"}
	case c.ClaimPrefix == "":
		return &core.ConfigError{Key: key("CLAIM_PREFIX"), Reason: "required"}
	case c.ClaimTTL <= 0:
		return &core.ConfigError{Key: key("CLAIM_TTL"), Reason: "must be positive"}
	case c.MACKey != "" && len(c.MACKey) < MinMACKeyLen:
		return &core.ConfigError{Key: key("UPLOAD_MAC_KEY"), Reason: fmt.Sprintf("must be at least %d bytes (e.g. openssl rand -base64 32)", MinMACKeyLen)}
	}
	// Overlapping prefixes would make results look like uploads (a trigger
	// loop) or results and claims collide.
	for _, p := range []struct{ key, a, b, why string }{
		{"RESULT_PREFIX", c.UploadPrefix, c.ResultPrefix, "overlaps " + key("UPLOAD_PREFIX")},
		{"CLAIM_PREFIX", c.UploadPrefix, c.ClaimPrefix, "overlaps " + key("UPLOAD_PREFIX")},
		{"CLAIM_PREFIX", c.ResultPrefix + c.UploadPrefix, c.ClaimPrefix, "overlaps the result keys"},
	} {
		if strings.HasPrefix(p.a, p.b) || strings.HasPrefix(p.b, p.a) {
			return &core.ConfigError{Key: key(p.key), Reason: p.why}
		}
	}
	return nil
}
