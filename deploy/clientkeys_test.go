package deploy

import (
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/adapters/httphandler"
)

// Both deploy files set FACEID_CLIENT_KEYS from somewhere else (the
// deployer's environment, Secrets Manager). Whatever that resolves to when
// the source is missing or empty, the function must refuse to start rather
// than serve unsigned requests: the value is a reference with no fallback,
// and each way it can arrive blank or unresolved is refused by the
// function's own parser.
func TestClientKeysCannotBeBlankSilently(t *testing.T) {
	scf := mustSCFConfig(t).Inputs.Environment.Variables["FACEID_CLIENT_KEYS"]
	if scf != "${env:FACEID_CLIENT_KEYS}" {
		// A fallback (${env:X, ''}) would turn an unset variable into a blank one.
		t.Errorf("serverless.yml: FACEID_CLIENT_KEYS is %q, want ${env:FACEID_CLIENT_KEYS} with no fallback", scf)
	}
	fn := mustFunction(t, mustOpenTemplate(t))
	sam := fn.Environment.Variables["FACEID_CLIENT_KEYS"]
	// A json-key makes CloudFormation fail the deploy when the secret has
	// no client_keys; a present but empty one resolves to "".
	if !dynamicSecret.MatchString(sam) || !strings.HasSuffix(sam, ":SecretString:client_keys}}") {
		t.Errorf("template.yaml: FACEID_CLIENT_KEYS is %q, want the secret's client_keys", sam)
	}
	for _, resolved := range []string{"", " ", "\n", scf, sam, "${env:FACEID_CLIENT_KEYS, ''}", "undefined", "null"} {
		if keys, err := httphandler.ParseClientKeys(resolved); err == nil {
			t.Errorf("FACEID_CLIENT_KEYS=%q is accepted (%d keys): a deploy could serve unsigned requests", resolved, len(keys))
		}
	}
}
