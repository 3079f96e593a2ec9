package upload

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/kelseyhightower/envconfig"
)

// Config says where uploads are read from and results written to. The zero
// value plus WithDefaults is the documented default layout.
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

// FromEnv reads FACEID_UPLOAD_PREFIX, FACEID_RESULT_PREFIX,
// FACEID_RESULT_BUCKET, FACEID_CLAIM_PREFIX, FACEID_DELETE_SOURCE and
// FACEID_CLAIM_TTL, applies the defaults and validates the result. On SCF
// call it on the first invocation: the platform sets the environment then.
func FromEnv() (Config, error) {
	// Set-but-empty is an error for every variable: envconfig would take ""
	// for a string instead of the default.
	for _, k := range []string{"UPLOAD_PREFIX", "RESULT_PREFIX", "RESULT_BUCKET", "CLAIM_PREFIX", "DELETE_SOURCE", "CLAIM_TTL"} {
		if v, ok := os.LookupEnv(core.EnvPrefix + "_" + k); ok && strings.TrimSpace(v) == "" {
			reason := "is set but empty"
			if k == "RESULT_BUCKET" {
				reason += "; unset it to write results to the upload's bucket"
			}
			return Config{}, &core.ConfigError{Key: core.EnvPrefix + "_" + k, Reason: reason}
		}
	}
	var c Config
	if err := envconfig.Process(core.EnvPrefix, &c); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			return Config{}, &core.ConfigError{Key: pe.KeyName, Reason: "cannot parse as " + pe.TypeName}
		}
		return Config{}, fmt.Errorf("upload config: %w", err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
