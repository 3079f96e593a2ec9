package httphandler

import (
	"fmt"
	"strings"

	"github.com/faceid-verify/faceid/core"
)

// EnvClientKeys names the drop-in key pairs' variable.
const EnvClientKeys = core.EnvPrefix + "_CLIENT_KEYS"

// ParseClientKeys reads drop-in key pairs from "id:secret[,id:secret…]",
// the value of FACEID_CLIENT_KEYS (package config reads it: unset, drop-in
// mode is off). A blank or broken value is an error, so that a deploy
// whose secret did not resolve fails to start instead of serving (and
// paying for) unsigned requests. It never returns an empty map without an
// error. Errors name the
// position only: the text may hold a secret.
func ParseClientKeys(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, &core.ConfigError{Key: EnvClientKeys, Reason: "is set but empty; unset it to serve without client signatures"}
	}
	// A deploy file's reference the deployer's tools left unresolved
	// would otherwise parse as a pair ("${env" : "FACEID_CLIENT_KEYS}")
	// whose secret is public.
	if strings.Contains(s, "${") || strings.Contains(s, "{{") {
		return nil, &core.ConfigError{Key: EnvClientKeys, Reason: "holds an unresolved ${…} or {{resolve:…}} reference"}
	}
	keys := map[string]string{}
	for i, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
		if !ok || !token(id) || !token(secret) {
			return nil, &core.ConfigError{Key: EnvClientKeys, Reason: fmt.Sprintf("pair %d is not id:secret (printable ASCII, no spaces or quotes)", i+1)}
		}
		if _, dup := keys[id]; dup {
			return nil, &core.ConfigError{Key: EnvClientKeys, Reason: fmt.Sprintf("pair %d repeats an id", i+1)}
		}
		keys[id] = secret
	}
	return keys, nil
}

// token reports whether s can travel in an Authorization header's quoted
// id (or be typed as a secret) unchanged: printable ASCII without spaces,
// quotes or backslashes.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
