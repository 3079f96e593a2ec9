package httpapi

import (
	"fmt"
	"strings"
)

// ParseClientKeys reads drop-in key pairs from "id:secret[,id:secret…]".
// Errors name the position only: the text may hold a secret.
func ParseClientKeys(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	keys := map[string]string{}
	for i, pair := range strings.Split(s, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(pair), ":")
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("FACEID_CLIENT_KEYS: pair %d is not id:secret", i+1)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("FACEID_CLIENT_KEYS: pair %d repeats an id", i+1)
		}
		keys[id] = secret
	}
	return keys, nil
}
