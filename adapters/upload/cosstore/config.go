package cosstore

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// Config configures a Store.
type Config struct {
	// BaseURL replaces https://<bucket>.cos.<region>.myqcloud.com for every
	// bucket (FACEID_COS_BASE_URL, read by package config): a local server
	// in tests, a private endpoint otherwise. Plain http only for loopback
	// hosts.
	BaseURL string
	// DefaultRegion is used for refs without a region (e.g. ap-guangzhou).
	DefaultRegion string
	// Credential signs requests. Nil reads TENCENTCLOUD_SECRETID,
	// TENCENTCLOUD_SECRETKEY and TENCENTCLOUD_SESSIONTOKEN at every request:
	// SCF sets the role's temporary keys before each invocation.
	Credential cos.CredentialIface
	// Transport is the HTTP transport under the signer (nil: default).
	Transport http.RoundTripper
	// DisableCRC turns off the SDK's CRC64 check of uploads; only for
	// servers that do not return x-cos-hash-crc64ecma.
	DisableCRC bool
	// Claims, when set (a shared store such as Redis), decides which
	// attempt creates a claim marker, instead of x-cos-forbid-overwrite:
	// COS does not document that header's atomicity, and ignores it on
	// buckets that ever had versioning. The marker is still written to
	// COS, where it stays after the store has forgotten the claim.
	Claims state.Store
	// ClaimTTL is how long the store holds a claim: past the function's
	// timeout, by which the marker is in COS (upload.Config.ClaimTTL).
	ClaimTTL time.Duration
}

// Environment variables of the SCF execution role's temporary keys.
const (
	EnvSecretID     = "TENCENTCLOUD_SECRETID"
	EnvSecretKey    = "TENCENTCLOUD_SECRETKEY"
	EnvSessionToken = "TENCENTCLOUD_SESSIONTOKEN"
	EnvBaseURL      = core.EnvPrefix + "_COS_BASE_URL"
)

// Validate reports a config the Store cannot use. Without a BaseURL or a
// Credential it signs with the SCF execution role's keys, which must be
// there: they are read from the environment, where SCF puts them.
func (c Config) Validate() error {
	if c.BaseURL == "" {
		if c.Credential == nil && os.Getenv(EnvSecretID) == "" {
			return &core.ConfigError{Key: EnvSecretID, Reason: "not set: give the function an execution role with COS access"}
		}
		return nil
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return &core.ConfigError{Key: EnvBaseURL, Reason: "must be an absolute URL without a path"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return &core.ConfigError{Key: EnvBaseURL, Reason: "must be https (plain http only for loopback)"}
	}
	return nil
}

func (c Config) credential() cos.CredentialIface {
	if c.Credential != nil {
		return c.Credential
	}
	return envCredential{}
}

// envCredential reads the role's keys when a request is signed, so keys the
// platform rotates between invocations are picked up.
type envCredential struct{}

func (envCredential) GetSecretId() string  { return os.Getenv(EnvSecretID) }
func (envCredential) GetSecretKey() string { return os.Getenv(EnvSecretKey) }
func (envCredential) GetToken() string     { return os.Getenv(EnvSessionToken) }

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}

// NormalizeRegion returns the region code COS URLs use. SCF's COS events
// have carried the short legacy names ("gz", "cd"); those map to their
// codes as in the v4→v5 domain table of cos-python-sdk-v5's format_region
// (cossh→ap-shanghai, costj→ap-beijing-1, …), and other short names are
// refused rather than guessed.
func NormalizeRegion(r string) (string, error) {
	r = strings.ToLower(strings.TrimSpace(r))
	legacy := map[string]string{
		"sh": "ap-shanghai", "gz": "ap-guangzhou", "bj": "ap-beijing", "tj": "ap-beijing-1",
		"cd": "ap-chengdu", "sgp": "ap-singapore", "hk": "ap-hongkong", "ca": "na-toronto",
		"ger": "eu-frankfurt",
	}
	switch {
	case legacy[r] != "":
		return legacy[r], nil
	case strings.Contains(r, "-") && !strings.ContainsAny(r, "./:@ "):
		return r, nil
	}
	return "", fmt.Errorf("cosstore: unknown COS region %q", r)
}
