package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
)

const functionID = "FaceIdFunction"

// mustOpenTemplate parses template.yaml with intrinsics kept readable: a
// Ref to a parameter with a default gives the default (numbers must stay
// numbers), any other Ref "${Name}", GetAtt "${Name.Attr}", and Sub its
// template unchanged. goformation's own handlers resolve references to
// resources to nothing, which would hide what the template refers to.
func mustOpenTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	ref := func(_ string, input, tmpl any) any {
		name, _ := input.(string)
		params, _ := tmpl.(map[string]any)["Parameters"].(map[string]any)
		if p, ok := params[name].(map[string]any); ok {
			if def, ok := p["Default"]; ok {
				return def
			}
		}
		return "${" + name + "}"
	}
	getAtt := func(_ string, input, _ any) any {
		if s, ok := input.(string); ok { // the short form: !GetAtt Name.Attr
			return "${" + s + "}"
		}
		parts, _ := input.([]any)
		s := make([]string, len(parts))
		for i, p := range parts {
			s[i] = fmt.Sprint(p)
		}
		return "${" + strings.Join(s, ".") + "}"
	}
	sub := func(_ string, input, _ any) any {
		if s, ok := input.(string); ok {
			return s
		}
		return fmt.Sprint(input)
	}
	tmpl, err := goformation.OpenWithOptions(root+"/template.yaml", &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{"Ref": ref, "Fn::GetAtt": getAtt, "Fn::Sub": sub},
	})
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return tmpl
}

func mustFunction(t *testing.T, tmpl *cloudformation.Template) *serverless.Function {
	t.Helper()
	fn, err := tmpl.GetServerlessFunctionWithName(functionID)
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

func TestTemplateFunction(t *testing.T) {
	tmpl := mustOpenTemplate(t)
	if got := fmt.Sprint(tmpl.Transform.String); tmpl.Transform == nil || tmpl.Transform.String == nil ||
		*tmpl.Transform.String != "AWS::Serverless-2016-10-31" {
		t.Errorf("Transform %s, want AWS::Serverless-2016-10-31", got)
	}
	fn := mustFunction(t, tmpl)
	if deref(fn.Runtime) != "provided.al2023" {
		t.Errorf("Runtime %q, want provided.al2023 (go1.x is retired)", deref(fn.Runtime))
	}
	if deref(fn.Handler) != "bootstrap" {
		t.Errorf("Handler %q, want bootstrap", deref(fn.Handler))
	}
	if !slices.Equal(fn.Architectures, []string{"arm64"}) {
		t.Errorf("Architectures %q, want [arm64]", fn.Architectures)
	}
	if bm := fn.AWSCloudFormationMetadata["BuildMethod"]; bm != "makefile" {
		t.Errorf("Metadata.BuildMethod %v, want makefile", bm)
	}

	// sam build runs `make build-<LogicalId>`: the target must exist and
	// build bootstrap for the template's architecture into ARTIFACTS_DIR.
	recipe := makeRecipe(t, "build-"+functionID)
	for _, want := range []string{"$(ARTIFACTS_DIR)/bootstrap", "-tags lambda.norpc", "./function/lambda", "CGO_ENABLED=0", "GOOS=linux"} {
		if !strings.Contains(recipe, want) {
			t.Errorf("Makefile build-%s does not contain %q:\n%s", functionID, want, recipe)
		}
	}
	goarch := map[string]string{"arm64": "arm64", "x86_64": "amd64"}
	if arch := makeVar(t, "LAMBDA_ARCH"); !strings.Contains(recipe, "GOARCH=$(LAMBDA_ARCH)") ||
		len(fn.Architectures) != 1 || arch != goarch[fn.Architectures[0]] {
		t.Errorf("Makefile builds GOARCH=$(LAMBDA_ARCH)=%q, template says %q", arch, fn.Architectures)
	}

	// The function must outlive one upstream call (FACEID_TIMEOUT) with room
	// to answer; the HTTP API itself gives up at 30 s.
	vars := fn.Environment.Variables
	upstream, err := time.ParseDuration(vars["FACEID_TIMEOUT"])
	if err != nil {
		t.Fatalf("FACEID_TIMEOUT %q: %v", vars["FACEID_TIMEOUT"], err)
	}
	if timeout := time.Duration(derefInt(fn.Timeout)) * time.Second; timeout < upstream+5*time.Second || timeout > 30*time.Second {
		t.Errorf("Timeout %v: want at least FACEID_TIMEOUT (%v) + 5 s and at most 30 s", timeout, upstream)
	}
	if derefInt(fn.MemorySize) < 128 {
		t.Errorf("MemorySize %d not set deliberately", derefInt(fn.MemorySize))
	}
}

func TestTemplateHTTPAPI(t *testing.T) {
	fn := mustFunction(t, mustOpenTemplate(t))
	routes := map[string]bool{}
	for name, ev := range fn.Events {
		if ev.Type != "HttpApi" {
			continue
		}
		p := ev.Properties.HttpApiEvent
		if p == nil {
			t.Errorf("event %s: HttpApi properties did not parse", name)
			continue
		}
		routes[deref(p.Method)+" "+deref(p.Path)] = true
		if deref(p.ApiId) != "${FaceIdHttpApi}" {
			t.Errorf("event %s: ApiId %q, want the throttled FaceIdHttpApi", name, deref(p.ApiId))
		}
	}
	for _, want := range []string{"POST /verify", "POST /release/face_id_card/post", "POST /test/face_id_card/post",
		"POST /prepub/face_id_card/post", "GET /healthz", "POST /uploads", "GET /results/{key+}"} {
		if !routes[want] {
			t.Errorf("no HttpApi event for %s (have %v)", want, routes)
		}
	}
	api, err := mustOpenTemplate(t).GetServerlessHttpApiWithName("FaceIdHttpApi")
	if err != nil {
		t.Fatal(err)
	}
	if s := api.DefaultRouteSettings; s == nil || s.ThrottlingBurstLimit == nil || s.ThrottlingRateLimit == nil {
		t.Error("FaceIdHttpApi has no throttling: every request can cost ¥1")
	}
}

func TestTemplateUploads(t *testing.T) {
	tmpl := mustOpenTemplate(t)
	fn := mustFunction(t, tmpl)
	var found bool
	for name, ev := range fn.Events {
		if ev.Type != "S3" {
			continue
		}
		found = true
		p := ev.Properties.S3Event
		if p == nil {
			t.Fatalf("event %s: S3 properties did not parse", name)
		}
		if p.Bucket != "${UploadBucket}" {
			t.Errorf("event %s: Bucket %q, want a Ref to UploadBucket (SAM needs the bucket in the template)", name, p.Bucket)
		}
		if p.Events == nil || p.Events.String == nil || *p.Events.String != "s3:ObjectCreated:*" {
			t.Errorf("event %s: Events %v, want s3:ObjectCreated:*", name, p.Events)
		}
		var rules []string
		if p.Filter != nil && p.Filter.S3Key != nil {
			for _, r := range p.Filter.S3Key.Rules {
				rules = append(rules, strings.ToLower(r.Name)+"="+r.Value)
			}
		}
		if !slices.Equal(rules, []string{"prefix=" + uploadPrefix}) {
			t.Errorf("event %s: filter rules %q, want [prefix=%s]", name, rules, uploadPrefix)
		}
	}
	if !found {
		t.Fatal("no S3 event")
	}
	bucket, err := tmpl.GetS3BucketWithName("UploadBucket")
	if err != nil {
		t.Fatal(err)
	}
	// Policies name the bucket by this parameter, not by the resource:
	// that is what avoids the circular dependency.
	if deref(bucket.BucketName) != "${UploadBucketName}" {
		t.Errorf("UploadBucket BucketName %q, want the UploadBucketName parameter", deref(bucket.BucketName))
	}
	if c := bucket.PublicAccessBlockConfiguration; c == nil || !derefBool(c.BlockPublicAcls) ||
		!derefBool(c.BlockPublicPolicy) || !derefBool(c.IgnorePublicAcls) || !derefBool(c.RestrictPublicBuckets) {
		t.Error("UploadBucket does not block public access: it holds faces and ID numbers")
	}

	cfg := fn.EventInvokeConfig
	if cfg == nil || cfg.MaximumRetryAttempts == nil || cfg.MaximumEventAgeInSeconds == nil {
		t.Fatal("EventInvokeConfig must set MaximumRetryAttempts and MaximumEventAgeInSeconds deliberately")
	}
	if n := *cfg.MaximumRetryAttempts; n < 0 || n > 2 {
		t.Errorf("MaximumRetryAttempts %d outside 0–2", n)
	}
	// A claim must outlive any attempt that may still hold it, or a
	// duplicate delivery would record a running call as unknown.
	if ttl, timeout := upload.DefaultClaimTTL, time.Duration(derefInt(fn.Timeout))*time.Second; ttl <= timeout {
		t.Errorf("claim TTL %v does not exceed the function timeout %v", ttl, timeout)
	}
	if _, set := fn.Environment.Variables["FACEID_CLAIM_TTL"]; set {
		t.Error("FACEID_CLAIM_TTL is set: check it against Timeout here")
	}
	if n := *cfg.MaximumEventAgeInSeconds; n < 60 || n > 21600 {
		t.Errorf("MaximumEventAgeInSeconds %d outside 60–21600", n)
	}
	if d := cfg.DestinationConfig; d == nil || d.OnFailure == nil || d.OnFailure.Destination == "" {
		t.Error("no OnFailure destination: uploads that fail after retries would vanish silently")
	}
}

// statement is one IAM statement, normalised.
type statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

func statements(t *testing.T, raw []any) []statement {
	t.Helper()
	var out []statement
	for _, s := range raw {
		b, _ := json.Marshal(s)
		var st struct {
			Effect   string
			Action   any
			Resource any
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		out = append(out, statement{st.Effect, strs(st.Action), strs(st.Resource)})
	}
	return out
}

func TestTemplateLeastPrivilege(t *testing.T) {
	tmpl := mustOpenTemplate(t)
	fn := mustFunction(t, tmpl)
	if fn.Policies == nil || fn.Policies.IAMPolicyDocument == nil {
		t.Fatal("the function's Policies must be one inline policy document (no managed policies)")
	}
	const bucket = "arn:aws:s3:::${UploadBucketName}"
	claims := fn.Environment.Variables["FACEID_CLAIM_PREFIX"]
	if !strings.HasPrefix(claims, resultPrefix) || claims == resultPrefix {
		t.Fatalf("FACEID_CLAIM_PREFIX %q: the grants below assume claims live inside %s", claims, resultPrefix)
	}
	uploads, results := bucket+"/"+uploadPrefix+"*", bucket+"/"+resultPrefix+"*"
	// Every grant the pipeline needs, and nothing else.
	need := map[string]bool{
		"s3:GetObject " + uploads:                        true, // HeadObject too
		"s3:GetObjectVersion " + uploads:                 true,
		"s3:GetObject " + results:                        true, // results and claims of earlier deliveries
		"s3:PutObject " + results:                        true, // results, claims (conditional create)
		"s3:PutObject " + uploads:                        true, // what POST /uploads presigns
		"s3:DeleteObject " + bucket + "/" + claims + "*": true, // releasing an unsent call's claim
		"s3:ListBucket " + bucket:                        true, // 404 rather than 403 for missing objects
	}
	for _, a := range dynamostate.Actions() { // what the store calls, recorded by its tests
		need[a+" ${StateTable.Arn}"] = true
	}
	got := map[string]bool{}
	for _, st := range statements(t, fn.Policies.IAMPolicyDocument.Statement) {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range st.Actions {
			for _, r := range st.Resources {
				got[a+" "+r] = true
				if !need[a+" "+r] {
					t.Errorf("the function is granted %s on %s, which it does not need", a, r)
				}
			}
		}
	}
	for g := range need {
		if !got[g] {
			t.Errorf("the function is not granted %s", g)
		}
	}

	// Deleting uploads is granted only when DeleteSource is true.
	pol, err := tmpl.GetIAMPolicyWithName("DeleteSourcePolicy")
	if err != nil {
		t.Fatal(err)
	}
	if pol.AWSCloudFormationCondition != "DeleteSourceEnabled" {
		t.Errorf("DeleteSourcePolicy condition %q, want DeleteSourceEnabled", pol.AWSCloudFormationCondition)
	}
	if !slices.Equal(pol.Roles, []string{"${" + functionID + "Role}"}) {
		t.Errorf("DeleteSourcePolicy roles %q, want the function's role only", pol.Roles)
	}
	b, _ := json.Marshal(pol.PolicyDocument)
	var doc struct{ Statement []any }
	json.Unmarshal(b, &doc)
	for _, st := range statements(t, doc.Statement) {
		for _, a := range st.Actions {
			if !strings.HasPrefix(a, "s3:DeleteObject") || !slices.Equal(st.Resources, []string{uploads}) {
				t.Errorf("DeleteSourcePolicy grants %s on %q; want only s3:DeleteObject* on uploads/*", a, st.Resources)
			}
		}
	}
	if fn.Environment.Variables["FACEID_DELETE_SOURCE"] != "false" {
		t.Errorf("FACEID_DELETE_SOURCE must follow the DeleteSource parameter (default false)")
	}
}

// The stack creates the state table with the schema state/dynamostate
// requires, and every instance uses it.
func TestTemplateStateTable(t *testing.T) {
	tmpl := mustOpenTemplate(t)
	table, err := tmpl.GetDynamoDBTableWithName("StateTable")
	if err != nil {
		t.Fatal(err)
	}
	if deref(table.BillingMode) != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode %q, want PAY_PER_REQUEST (on demand: nothing billed while idle)", deref(table.BillingMode))
	}
	if len(table.KeySchema) != 1 || table.KeySchema[0].AttributeName != "pk" || table.KeySchema[0].KeyType != "HASH" {
		t.Errorf("KeySchema %+v, want the partition key pk alone", table.KeySchema)
	}
	if len(table.AttributeDefinitions) != 1 || table.AttributeDefinitions[0].AttributeName != "pk" ||
		table.AttributeDefinitions[0].AttributeType != "S" {
		t.Errorf("AttributeDefinitions %+v, want pk of type S", table.AttributeDefinitions)
	}
	if ttl := table.TimeToLiveSpecification; ttl == nil || deref(ttl.AttributeName) != "ttl" || !ttl.Enabled {
		t.Errorf("TimeToLiveSpecification %+v, want Enabled on attribute ttl", ttl)
	}
	fn := mustFunction(t, tmpl)
	got := fn.Environment.Variables["FACEID_STATE"]
	if got != "dynamodb://${StateTable}" {
		t.Fatalf("FACEID_STATE %q, want dynamodb://${StateTable}", got)
	}
	// Parse it as the function will, with a plausible resolved name.
	cfg, err := state.Parse(strings.ReplaceAll(got, "${StateTable}", "faceid-StateTable-1AB2C3D4E5F6"))
	if err != nil || cfg.Kind != state.KindDynamoDB {
		t.Errorf("FACEID_STATE %q does not parse as a DynamoDB table: %v", got, err)
	}
}

var dynamicSecret = regexp.MustCompile(`^\{\{resolve:secretsmanager:\$\{UpstreamSecretName\}:SecretString:[a-z_]+\}\}$`)

func TestTemplateSecrets(t *testing.T) {
	tmpl := mustOpenTemplate(t)
	fn := mustFunction(t, tmpl)
	vars := fn.Environment.Variables
	checkEnv(t, "template.yaml", vars, derefInt(fn.MemorySize))
	for _, name := range []string{"FACEID_SECRET_ID", "FACEID_SECRET_KEY", "FACEID_CLIENT_KEYS"} {
		if !dynamicSecret.MatchString(vars[name]) {
			t.Errorf("%s is %q: want a {{resolve:secretsmanager:${UpstreamSecretName}:…}} dynamic reference", name, vars[name])
		}
	}
	for name, p := range tmpl.Parameters {
		if p.NoEcho != nil && *p.NoEcho && p.Default != nil {
			t.Errorf("parameter %s is NoEcho with a default: a secret in the template", name)
		}
		lower := strings.ToLower(name)
		if (strings.Contains(lower, "key") || strings.Contains(lower, "password") || strings.Contains(lower, "token") ||
			(strings.Contains(lower, "secret") && !strings.HasSuffix(lower, "secretname"))) && p.Default != nil {
			t.Errorf("parameter %s looks like a secret value and has a default", name)
		}
	}
	if _, ok := tmpl.Parameters["UpstreamSecretName"]; !ok {
		t.Error("no UpstreamSecretName parameter")
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }

// strs reads an IAM Action or Resource: one string or a list.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return nil
}
