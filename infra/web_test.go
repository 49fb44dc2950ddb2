package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// AWS's managed policy ids (CloudFront developer guide, "Use managed
// cache policies" / "origin request policies"), written out here rather
// than taken from CDK so a wrong policy choice fails.
const (
	cachingDisabledID           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeaderID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

// webBucketIDs returns the console's site and log buckets (the only
// buckets with those construct names).
func webBucketIDs(t *testing.T, tmpl map[string]any) (site, logs string) {
	t.Helper()
	for id := range resources(tmpl, "AWS::S3::Bucket") {
		switch {
		case strings.HasPrefix(id, "WebConsoleSite"):
			site = id
		case strings.HasPrefix(id, "WebConsoleAccessLogs"):
			logs = id
		}
	}
	if site == "" || logs == "" {
		t.Fatalf("console buckets not found (site %q, logs %q)", site, logs)
	}
	return site, logs
}

func TestWebConsoleBucketsPrivate(t *testing.T) {
	site, logs := webBucketIDs(t, platformJSON)
	for _, id := range []string{site, logs} {
		p := props(resources(platformJSON, "AWS::S3::Bucket")[id])
		block, _ := p["PublicAccessBlockConfiguration"].(map[string]any)
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if block[k] != true {
				t.Errorf("%s: %s = %v, want true", id, k, block[k])
			}
		}
		enc, _ := json.Marshal(p["BucketEncryption"])
		if !strings.Contains(string(enc), `"SSEAlgorithm":"AES256"`) {
			t.Errorf("%s: encryption %s, want SSE-S3", id, enc)
		}
		if _, ok := p["WebsiteConfiguration"]; ok {
			t.Errorf("%s is a website bucket: it must be reached only through CloudFront", id)
		}
	}
	p := props(resources(platformJSON, "AWS::S3::Bucket")[site])
	if v, _ := p["VersioningConfiguration"].(map[string]any); v["Status"] != "Enabled" {
		t.Errorf("site versioning = %v", p["VersioningConfiguration"])
	}
	if l, _ := p["LoggingConfiguration"].(map[string]any); l == nil || !refersTo(l["DestinationBucketName"], logs) {
		t.Errorf("site access logs = %v, want to %s", p["LoggingConfiguration"], logs)
	}

	// Bucket policies: TLS required on both; the only Allow on the site is
	// CloudFront's service principal for this distribution (OAC).
	dist := onlyID(t, platformJSON, "AWS::CloudFront::Distribution")
	for _, pol := range resources(platformJSON, "AWS::S3::BucketPolicy") {
		pp := props(pol)
		bucket := ""
		switch {
		case refersTo(pp["Bucket"], site):
			bucket = site
		case refersTo(pp["Bucket"], logs):
			bucket = logs
		default:
			continue
		}
		tlsDeny := false
		for _, s := range pp["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			raw, _ := json.Marshal(st)
			if st["Effect"] == "Deny" && strings.Contains(string(raw), `"aws:SecureTransport":"false"`) {
				tlsDeny = true
				continue
			}
			if st["Effect"] != "Allow" {
				continue
			}
			principal, _ := json.Marshal(st["Principal"])
			if bucket == logs || string(principal) != `{"Service":"cloudfront.amazonaws.com"}` ||
				!strings.Contains(string(raw), `"AWS:SourceArn"`) || !refersTo(st["Condition"], dist) || st["Action"] != "s3:GetObject" {
				t.Errorf("%s: unexpected Allow %s", bucket, raw)
			}
		}
		if !tlsDeny {
			t.Errorf("%s: no Deny without aws:SecureTransport", bucket)
		}
	}
}

func TestWebConsoleDistribution(t *testing.T) {
	dist := props(resources(platformJSON, "AWS::CloudFront::Distribution")[onlyID(t, platformJSON, "AWS::CloudFront::Distribution")])
	cfg := dist["DistributionConfig"].(map[string]any)
	site, logs := webBucketIDs(t, platformJSON)
	oac := onlyID(t, platformJSON, "AWS::CloudFront::OriginAccessControl")
	if p := props(resources(platformJSON, "AWS::CloudFront::OriginAccessControl")[oac])["OriginAccessControlConfig"].(map[string]any); p["SigningBehavior"] != "always" || p["OriginAccessControlOriginType"] != "s3" {
		t.Errorf("OAC = %v", p)
	}
	if n := len(resources(platformJSON, "AWS::CloudFront::CloudFrontOriginAccessIdentity")); n != 0 {
		t.Errorf("%d legacy origin access identities", n)
	}
	origins := map[string]map[string]any{} // by origin id
	var siteOrigin, apiOrigin string
	for _, o := range cfg["Origins"].([]any) {
		om := o.(map[string]any)
		id := om["Id"].(string)
		origins[id] = om
		switch {
		case refersTo(om["DomainName"], site):
			siteOrigin = id
			if !refersTo(om["OriginAccessControlId"], oac) {
				t.Errorf("site origin without the OAC: %v", om)
			}
		case refersTo(om["DomainName"], "ApiEndpoint"):
			apiOrigin = id
			c, _ := om["CustomOriginConfig"].(map[string]any)
			if c["OriginProtocolPolicy"] != "https-only" || !equalJSON(c["OriginSSLProtocols"], []string{"TLSv1.2"}) {
				t.Errorf("API origin = %v, want HTTPS with TLSv1.2 only", c)
			}
		}
	}
	if siteOrigin == "" || apiOrigin == "" || len(origins) != 2 {
		t.Fatalf("origins = %v, want the site bucket and the HTTP API", cfg["Origins"])
	}
	if cfg["DefaultRootObject"] != "index.html" {
		t.Errorf("DefaultRootObject = %v", cfg["DefaultRootObject"])
	}
	if _, ok := cfg["CustomErrorResponses"]; ok {
		t.Errorf("custom error responses would rewrite the API's 403/404 into index.html: %v", cfg["CustomErrorResponses"])
	}
	if l, _ := cfg["Logging"].(map[string]any); l == nil || !refersTo(l["Bucket"], logs) {
		t.Errorf("distribution logging = %v", cfg["Logging"])
	}

	def := cfg["DefaultCacheBehavior"].(map[string]any)
	if def["TargetOriginId"] != siteOrigin || def["ViewerProtocolPolicy"] != "redirect-to-https" ||
		!equalJSON(def["AllowedMethods"], []string{"GET", "HEAD"}) {
		t.Errorf("default behavior = %v", def)
	}
	if fa, _ := json.Marshal(def["FunctionAssociations"]); !strings.Contains(string(fa), `"EventType":"viewer-request"`) {
		t.Errorf("default behavior has no viewer-request SPA rewrite: %s", fa)
	}

	behaviors, _ := cfg["CacheBehaviors"].([]any)
	if len(behaviors) != 1 {
		t.Fatalf("cache behaviors = %v, want /v1/* only", behaviors)
	}
	api := behaviors[0].(map[string]any)
	for k, want := range map[string]any{
		"PathPattern": apiPathPattern, "TargetOriginId": apiOrigin, "ViewerProtocolPolicy": "https-only",
		"CachePolicyId": cachingDisabledID, "OriginRequestPolicyId": allViewerExceptHostHeaderID,
	} {
		if api[k] != want {
			t.Errorf("/v1/* %s = %v, want %v", k, api[k], want)
		}
	}
	if !equalJSON(api["AllowedMethods"], []string{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}) {
		t.Errorf("/v1/* methods = %v", api["AllowedMethods"])
	}
	if _, ok := api["FunctionAssociations"]; ok {
		t.Error("the SPA rewrite must not apply to /v1/*")
	}
	for _, b := range []map[string]any{def, api} {
		if !refersTo(b["ResponseHeadersPolicyId"], onlyID(t, platformJSON, "AWS::CloudFront::ResponseHeadersPolicy")) {
			t.Errorf("behavior %v without the security headers policy", b["PathPattern"])
		}
	}
	if out, _ := json.Marshal(platformJSON["Outputs"].(map[string]any)["ConsoleUrl"]); !strings.Contains(string(out), "https://") {
		t.Errorf("ConsoleUrl output = %s", out)
	}
}

func TestWebConsoleSecurityHeaders(t *testing.T) {
	id := onlyID(t, platformJSON, "AWS::CloudFront::ResponseHeadersPolicy")
	h := props(resources(platformJSON, "AWS::CloudFront::ResponseHeadersPolicy")[id])["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"].(map[string]any)
	hsts := h["StrictTransportSecurity"].(map[string]any)
	if age, _ := hsts["AccessControlMaxAgeSec"].(float64); age < 365*24*3600 || hsts["IncludeSubdomains"] != true {
		t.Errorf("HSTS = %v, want a year or more with subdomains", hsts)
	}
	if f := h["FrameOptions"].(map[string]any); f["FrameOption"] != "DENY" {
		t.Errorf("frame options = %v", f)
	}
	if _, ok := h["ContentTypeOptions"]; !ok {
		t.Error("no X-Content-Type-Options: nosniff")
	}
	csp, _ := json.Marshal(h["ContentSecurityPolicy"].(map[string]any)["ContentSecurityPolicy"])
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' ", "frame-ancestors 'none'", "object-src 'none'", "ApiEndpoint"} {
		if !strings.Contains(string(csp), want) {
			t.Errorf("CSP %s lacks %q", csp, want)
		}
	}
	if strings.Contains(string(csp), "unsafe-") {
		t.Errorf("CSP allows unsafe sources: %s", csp)
	}
}

// The viewer-request function, run on Node: client-side routes load the
// app, files (and missing assets) keep their path — the rule local/apigw
// applies to `make local`.
func TestSpaRoutesFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH")
	}
	cases := map[string]string{
		"/": "/index.html", "/login": "/index.html", "/clusters/c-12ab/nodes": "/index.html",
		"/index.html": "/index.html", "/assets/app-1a2b.js": "/assets/app-1a2b.js",
		"/favicon.svg": "/favicon.svg", "/assets/gone.css": "/assets/gone.css",
	}
	uris, _ := json.Marshal(cases)
	script := spaRoutes + `
const cases = ` + string(uris) + `;
const out = {};
for (const uri of Object.keys(cases)) out[uri] = handler({request: {uri}}).uri;
console.log(JSON.stringify(out));`
	raw, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v: %s", err, raw)
	}
	var got map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("node output %q: %v", raw, err)
	}
	for uri, want := range cases {
		if got[uri] != want {
			t.Errorf("%s → %s, want %s", uri, got[uri], want)
		}
	}
}

// With a console build, two deployments upload it (assets immutable,
// index.html revalidated) and cdk-nag stays clean; without one (the shared
// test app has no WebDir) the bucket and distribution stand alone.
func TestWebConsoleDeployment(t *testing.T) {
	if n := len(resources(platformJSON, "Custom::CDKBucketDeployment")); n != 0 {
		t.Errorf("%d deployments without a build", n)
	}
	dist := t.TempDir()
	for name, body := range map[string]string{"index.html": "<html></html>", "assets/app-1a2b.js": "1", "favicon.svg": "<svg/>"} {
		p := filepath.Join(dist, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("WebOnly"), nil)
	httpAPI := awsapigatewayv2.NewHttpApi(stack, jsii.String("HttpApi"), nil)
	suppress(httpAPI, "AwsSolutions-APIG1", "a stand-in API for this test: the platform stack's API has access logs")
	w := newWebConsole(&platform{stack: stack, cfg: Config{Prefix: "clusterforge", WebDir: dist}}, httpAPI)
	if !w.deployed {
		t.Fatal("the build was not deployed")
	}
	applyNag(app)
	tmpl := assertions.Template_FromStack(stack, nil)
	check(t, "two deployments", func() { tmpl.ResourceCountIs(jsii.String("Custom::CDKBucketDeployment"), jsii.Number(2)) })
	check(t, "assets immutable under assets/", func() {
		tmpl.HasResourceProperties(jsii.String("Custom::CDKBucketDeployment"), &map[string]any{
			"DestinationBucketKeyPrefix": "assets/", "Prune": false,
			"SystemMetadata": map[string]any{"cache-control": assetsCacheControl},
		})
	})
	check(t, "index revalidated", func() {
		tmpl.HasResourceProperties(jsii.String("Custom::CDKBucketDeployment"), &map[string]any{
			"DestinationBucketKeyPrefix": assertions.Match_Absent(), "Prune": false,
			"SystemMetadata": map[string]any{"cache-control": indexCacheControl},
		})
	})
	ann := assertions.Annotations_FromStack(stack)
	pattern := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, found := range []*[]*cxapi.SynthesisMessage{ann.FindError(jsii.String("*"), pattern), ann.FindWarning(jsii.String("*"), pattern)} {
		for _, m := range *found {
			t.Errorf("%s: %s %v", *m.Id, m.Level, m.Entry.Data)
		}
	}
}

// refersTo reports whether a CloudFormation value mentions the logical id
// (or attribute) name, through Ref, Fn::GetAtt or Fn::Join.
func refersTo(v any, name string) bool {
	raw, _ := json.Marshal(v)
	return strings.Contains(string(raw), `"`+name+`"`)
}

func equalJSON(got any, want []string) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}
