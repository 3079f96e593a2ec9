package core

import (
	"log/slog"
	"net/url"
	"strings"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// signatureAuto, the default FACEID_SIGNATURE, picks the scheme from the
// endpoint's host.
const signatureAuto = "auto"

// cloudMarketSuffix ends the hosts of the Cloud Market API gateway
// (ap-shanghai., ap-guangzhou., ap-beijing.cloudmarket-apigw.com).
const cloudMarketSuffix = ".cloudmarket-apigw.com"

func validSignature(s string) bool {
	return s == signatureAuto || hmacauth.Variant(s).Valid()
}

// validateSignature checks FACEID_SIGNATURE and its old name.
func (c Config) validateSignature() error {
	const want = `must be "auto", "cloudmarket", "x-date" or "date"`
	if c.SignedHeaders != "" && !validSignature(string(c.SignedHeaders)) {
		return &ConfigError{EnvPrefix + "_SIGNED_HEADERS", want}
	}
	if !validSignature(c.Signature) {
		return &ConfigError{EnvPrefix + "_SIGNATURE", want}
	}
	if c.SignedHeaders != "" && string(c.SignedHeaders) != c.Signature {
		return &ConfigError{EnvPrefix + "_SIGNED_HEADERS",
			"is the old name of " + EnvPrefix + "_SIGNATURE and disagrees with it; set only " + EnvPrefix + "_SIGNATURE"}
	}
	return nil
}

// SignatureVariant is the scheme the client signs with: Signature, with
// auto resolved by the endpoint's host. An endpoint that does not parse
// resolves to x-date; Validate reports it.
func (c Config) SignatureVariant() hmacauth.Variant {
	if c.Signature != "" && c.Signature != signatureAuto {
		return hmacauth.Variant(c.Signature)
	}
	if u, err := url.Parse(c.Endpoint); err == nil && isCloudMarketHost(u.Hostname()) {
		return hmacauth.CloudMarket
	}
	return hmacauth.XDate
}

func isCloudMarketHost(host string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), cloudMarketSuffix)
}

// retiringGatewayWarning is logged once at start by every entry point when
// the function would call DefaultEndpoint: the product page's address,
// on the gateway Tencent retires from 2026-10-30.
const retiringGatewayWarning = "FACEID_ENDPOINT is the built-in default, the product page's address on Tencent Cloud API Gateway, " +
	"which Tencent retires in batches from 2026-10-30; set FACEID_ENDPOINT to the address shown on the product page " +
	"after purchase (a *.cloudmarket-apigw.com address is signed for the Cloud Market API gateway automatically)"

// usesRetiringDefault reports whether calls would go to DefaultEndpoint's
// host, whether by default or because it was set explicitly.
func (c Config) usesRetiringDefault() bool {
	u, err := url.Parse(c.Endpoint)
	d, _ := url.Parse(DefaultEndpoint)
	return err == nil && strings.EqualFold(u.Hostname(), d.Hostname())
}

// WarnIfRetiringDefault logs retiringGatewayWarning when c would call
// DefaultEndpoint. Entry points call it once, after loading the config.
func WarnIfRetiringDefault(log *slog.Logger, c Config) {
	if c.usesRetiringDefault() {
		log.Warn(retiringGatewayWarning, "endpoint", c.Endpoint, "retires_from", "2026-10-30")
	}
}
