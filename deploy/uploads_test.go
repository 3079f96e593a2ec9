package deploy

import (
	"errors"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/cleanenv"
)

// Both deploy files turn on POST /uploads for the bucket their trigger
// watches, with a MAC key from elsewhere (the deployer's environment,
// Secrets Manager) that the function refuses when it arrives blank or
// unresolved, so no deploy hands out addresses whose uploads it cannot
// check.
func TestUploadIssuingDeploys(t *testing.T) {
	fn := mustFunction(t, mustOpenTemplate(t))
	sam := fn.Environment.Variables
	if sam["FACEID_UPLOAD_BUCKET"] != "${UploadBucketName}" {
		t.Errorf("template.yaml: FACEID_UPLOAD_BUCKET %q, want the UploadBucketName parameter (the S3 trigger's bucket)", sam["FACEID_UPLOAD_BUCKET"])
	}
	if v := sam["FACEID_UPLOAD_MAC_KEY"]; !dynamicSecret.MatchString(v) || !strings.HasSuffix(v, ":SecretString:upload_mac_key}}") {
		t.Errorf("template.yaml: FACEID_UPLOAD_MAC_KEY %q, want the secret's upload_mac_key", v)
	}
	c := mustSCFConfig(t)
	scf := c.Inputs.Environment.Variables
	if scf["FACEID_UPLOAD_MAC_KEY"] != "${env:FACEID_UPLOAD_MAC_KEY}" {
		t.Errorf("serverless.yml: FACEID_UPLOAD_MAC_KEY %q, want ${env:FACEID_UPLOAD_MAC_KEY} with no fallback", scf["FACEID_UPLOAD_MAC_KEY"])
	}
	var cosBucket string
	for _, ev := range c.Inputs.Events {
		if e, ok := ev["cos"]; ok {
			cosBucket, _ = e.Parameters["bucket"].(string)
		}
	}
	if b := scf["FACEID_UPLOAD_BUCKET"]; b == "" || !strings.HasPrefix(cosBucket, b+".cos.") {
		t.Errorf("serverless.yml: FACEID_UPLOAD_BUCKET %q is not the COS trigger's bucket %q", b, cosBucket)
	}
	for _, resolved := range []string{"", " ", "\n", scf["FACEID_UPLOAD_MAC_KEY"], "undefined", "null", "short-key"} {
		t.Run(resolved, func(t *testing.T) {
			cleanenv.Set(t, map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "key",
				"FACEID_UPLOAD_BUCKET": "photos", "FACEID_UPLOAD_MAC_KEY": resolved}, "FACEID_")
			var ce *core.ConfigError
			if _, err := config.Load(); !errors.As(err, &ce) || ce.Key != "FACEID_UPLOAD_MAC_KEY" {
				t.Errorf("FACEID_UPLOAD_MAC_KEY=%q: %v, want a refusal", resolved, err)
			}
		})
	}
}
