// Package config is the one loader of the function's settings. Every entry
// point (the SCF and Lambda functions, the local server) calls Load or
// LoadLocal once at start: it reads every FACEID_* variable, holds each to
// the same rules (set but blank is an error, a value that does not parse
// names its variable and never repeats the value), checks each part's own
// rules, and hands each part its piece.
//
// The platforms' own variables are read where they are used, not here:
// the function names for the metrics (AWS_LAMBDA_FUNCTION_NAME,
// SCF_FUNCTIONNAME, in function/*/wire.go), the AWS SDK's chain (AWS_REGION,
// AWS_ENDPOINT_URL_S3, the role) in s3store, and the SCF role's COS keys
// (TENCENTCLOUD_SECRETID, _SECRETKEY, _SESSIONTOKEN) in cosstore at every
// request, because SCF sets them anew for each invocation.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
	"github.com/kelseyhightower/envconfig"
)

// Settings are the function's settings, each part's piece apart.
type Settings struct {
	// Core is the client's, defaulted. Load has checked it; LoadLocal
	// leaves it to core.New once the local server has completed it.
	Core core.Config
	// EndpointSet tells whether FACEID_ENDPOINT was given; without it the
	// local server runs the embedded sandbox.
	EndpointSet bool
	// Upload is the upload pipeline's, defaulted and checked.
	Upload upload.Config
	// Issue is POST /uploads', defaulted; on (and checked, a MAC key
	// required) when it names a bucket (FACEID_UPLOAD_BUCKET).
	Issue upload.IssueConfig
	// DropIn is the HTTP handler's drop-in mode.
	DropIn DropIn
	// COS is the COS store's (SCF).
	COS COS
	// State names the store the money guards share (FACEID_STATE; unset:
	// this instance's memory).
	State state.Config
	// Server is the local server's.
	Server Server
}

// DropIn configures drop-in mode (adapters/httphandler).
type DropIn struct {
	// ClientKeys are the callers' SecretId→SecretKey pairs
	// (FACEID_CLIENT_KEYS); none turns drop-in mode off.
	ClientKeys map[string]string `json:"-" ignored:"true"`
	// LenientDate accepts Date-signed requests of any date, as the legacy
	// gateway does.
	LenientDate bool `envconfig:"LENIENT_DATE"`
}

// String and LogValue show how many key pairs there are, never the keys,
// so that the settings can be printed or logged whole.
func (d DropIn) String() string {
	return fmt.Sprintf("{client_keys: %d, lenient_date: %t}", len(d.ClientKeys), d.LenientDate)
}

func (d DropIn) LogValue() slog.Value { return slog.StringValue(d.String()) }

func (d DropIn) GoString() string { return "config.DropIn" + d.String() }

// COS configures the COS store (adapters/upload/cosstore).
type COS struct {
	// BaseURL replaces https://<bucket>.cos.<region>.myqcloud.com for every
	// bucket: a local server in tests, a private endpoint otherwise.
	BaseURL string `envconfig:"COS_BASE_URL"`
}

// Server is the local server's own settings. The cloud platforms hold
// connections, time out callers and bound concurrency themselves; here
// the server must.
type Server struct {
	Addr string `envconfig:"ADDR" default:"127.0.0.1:9000"`
	// ReadTimeout bounds reading a whole request, body included, so that a
	// stalled upload does not hold its buffer for ever.
	ReadTimeout time.Duration `envconfig:"READ_TIMEOUT" default:"15s"`
	// IdleTimeout closes a kept-alive connection that sends nothing.
	IdleTimeout time.Duration `envconfig:"IDLE_TIMEOUT" default:"60s"`
	// MaxConcurrent bounds requests in flight; beyond it, 503.
	MaxConcurrent int `envconfig:"MAX_CONCURRENT" default:"16"`
	// AllowedOrigins are web origins whose pages may call the server
	// (CORS); AllowedHosts are host names it answers besides its own
	// address and loopback names.
	AllowedOrigins string `envconfig:"ALLOWED_ORIGINS"`
	AllowedHosts   string `envconfig:"ALLOWED_HOSTS"`
	// S3Addr is where the embedded upload store listens (function/local):
	// a loopback address, since it takes unsigned requests. Unset, it is
	// Addr's port plus one (127.0.0.1:9001), or a free port when Addr's is.
	S3Addr string `envconfig:"S3_ADDR"`
}

// Variables read outside the envconfig structs.
const (
	envClientKeys = httphandler.EnvClientKeys
	envState      = core.EnvPrefix + "_STATE"
)

// hints extend "is set but empty" where unsetting means something.
var hints = map[string]string{
	"RESULT_BUCKET": "; unset it to write results to the upload's bucket",
	"CLIENT_KEYS":   "; unset it to serve without client signatures",
	"STATE":         "; unset it to keep the guards in this instance's memory",
}

// Load reads and checks every setting, for the cloud functions: the core's
// key pair is required. Call it once at start (on SCF, at the first
// invocation: the platform sets the environment then).
func Load() (Settings, error) {
	s, err := read()
	if err != nil {
		return Settings{}, err
	}
	if err := s.Core.Validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// LoadLocal is Load for the local server. Without FACEID_ENDPOINT it runs
// the embedded sandbox, which brings its own endpoint and key pair, so the
// core's Config is checked only by core.New once completed; every other
// setting is checked here.
func LoadLocal() (Settings, error) {
	s, err := read()
	if err != nil {
		return Settings{}, err
	}
	if s.EndpointSet {
		if err := s.Core.Validate(); err != nil {
			return Settings{}, err
		}
	}
	return s, nil
}

// read reads every variable into Settings and checks all but the core's
// own rules.
func read() (Settings, error) {
	for _, name := range Names() {
		if v, ok := os.LookupEnv(name); ok && strings.TrimSpace(v) == "" {
			suffix := strings.TrimPrefix(name, core.EnvPrefix+"_")
			return Settings{}, &core.ConfigError{Key: name, Reason: "is set but empty" + hints[suffix]}
		}
	}
	var s Settings
	for _, part := range s.parts() {
		if err := envconfig.Process(core.EnvPrefix, part); err != nil {
			var pe *envconfig.ParseError
			if errors.As(err, &pe) {
				// ParseError's text repeats the value; name the key and type only.
				return Settings{}, &core.ConfigError{Key: pe.KeyName, Reason: "cannot parse as " + pe.TypeName}
			}
			return Settings{}, fmt.Errorf("config: %w", err)
		}
	}
	_, s.EndpointSet = os.LookupEnv(core.EnvPrefix + "_ENDPOINT")
	if err := s.secretKeyFile(); err != nil {
		return Settings{}, err
	}
	s.Core = s.Core.WithDefaults()
	s.Upload = s.Upload.WithDefaults()
	if err := s.Upload.Validate(); err != nil {
		return Settings{}, err
	}
	s.Issue = s.Issue.WithDefaults()
	if s.Issuing() {
		if err := s.Issue.Validate(); err != nil {
			return Settings{}, err
		}
		if s.Upload.MACKey == "" {
			return Settings{}, &core.ConfigError{Key: core.EnvPrefix + "_UPLOAD_MAC_KEY",
				Reason: "required when " + core.EnvPrefix + "_UPLOAD_BUCKET is set"}
		}
	}
	if v, ok := os.LookupEnv(envClientKeys); ok {
		keys, err := httphandler.ParseClientKeys(v)
		if err != nil {
			return Settings{}, err
		}
		s.DropIn.ClientKeys = keys
	}
	s.State = state.Config{Kind: state.KindMemory}
	if v, ok := os.LookupEnv(envState); ok {
		cfg, err := state.Parse(v)
		if err != nil {
			return Settings{}, &core.ConfigError{Key: envState, Reason: err.Error()}
		}
		s.State = cfg
	}
	if err := s.COS.validate(); err != nil {
		return Settings{}, err
	}
	if s.Server.S3Addr == "" {
		s.Server.S3Addr = nextPort(s.Server.Addr)
	}
	if err := s.Server.validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// parts are the structs envconfig fills, each variable under EnvPrefix.
func (s *Settings) parts() []any {
	return []any{&s.Core, &s.Upload, &s.Issue, &s.DropIn, &s.COS, &s.Server}
}

// Issuing tells whether POST /uploads is on: FACEID_UPLOAD_BUCKET is set.
func (s Settings) Issuing() bool { return s.Issue.Bucket != "" }

// Names lists every FACEID_* variable the loader reads, sorted.
func Names() []string {
	var s Settings
	names := []string{envClientKeys, envState}
	for _, part := range s.parts() {
		rt := reflect.TypeOf(part).Elem()
		for i := range rt.NumField() {
			if tag := rt.Field(i).Tag.Get("envconfig"); tag != "" {
				names = append(names, core.EnvPrefix+"_"+tag)
			}
		}
	}
	sort.Strings(names)
	return names
}

// secretKeyFile reads the SecretKey from FACEID_SECRET_KEY_FILE, if set.
func (s *Settings) secretKeyFile() error {
	c := &s.Core
	if c.SecretKeyFile == "" {
		return nil
	}
	key := core.EnvPrefix + "_SECRET_KEY_FILE"
	if c.SecretKey != "" {
		return &core.ConfigError{Key: key, Reason: "set together with " + core.EnvPrefix + "_SECRET_KEY; choose one"}
	}
	b, err := os.ReadFile(c.SecretKeyFile)
	if err != nil {
		reason := "cannot read the file"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason += ": " + pe.Err.Error()
		}
		return &core.ConfigError{Key: key, Reason: reason}
	}
	c.SecretKey = core.Secret(strings.TrimSpace(string(b)))
	if c.SecretKey == "" {
		return &core.ConfigError{Key: key, Reason: "file is empty"}
	}
	return nil
}

// validate holds the base URL to what cosstore.Config.Validate accepts:
// the scf function links the COS SDK, the others need not.
func (c COS) validate() error {
	if c.BaseURL == "" {
		return nil
	}
	key := core.EnvPrefix + "_COS_BASE_URL"
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return &core.ConfigError{Key: key, Reason: "must be an absolute URL without a path"}
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return &core.ConfigError{Key: key, Reason: "must be https (plain http only for loopback)"}
	}
	return nil
}

func (c Server) validate() error {
	for _, d := range []struct {
		key string
		ok  bool
	}{{"READ_TIMEOUT", c.ReadTimeout > 0}, {"IDLE_TIMEOUT", c.IdleTimeout > 0}, {"MAX_CONCURRENT", c.MaxConcurrent > 0}} {
		if !d.ok {
			return &core.ConfigError{Key: core.EnvPrefix + "_" + d.key, Reason: "must be positive"}
		}
	}
	return nil
}

// nextPort is addr with its port plus one; port 0 (any) stays 0.
func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n <= 0 || n >= 65535 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}
