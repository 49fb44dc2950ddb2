package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/store"
)

// The counts come from the repository, not from the app's own listing.
func TestResourceCounts(t *testing.T) {
	fns, err := os.ReadDir(filepath.Join(cfg.Root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	asl, _ := filepath.Glob(filepath.Join(cfg.Root, "statemachines", "*.asl.json"))
	if len(asl) < 2 {
		t.Fatalf("want at least provision and delete state machines, found %v", asl)
	}
	counts := map[string]int{
		"AWS::Lambda::Function":            len(fns),
		"AWS::StepFunctions::StateMachine": len(asl),
		"AWS::DynamoDB::Table":             1,
		"AWS::KMS::Key":                    1,
		"AWS::ApiGatewayV2::Api":           1,
		"AWS::ApiGatewayV2::Authorizer":    1,
		"AWS::ApiGatewayV2::Route":         len(api.Routes()),
		"AWS::Scheduler::ScheduleGroup":    1,
		"AWS::CloudWatch::Alarm":           len(fns) + len(asl),
	}
	for typ, n := range counts {
		check(t, typ, func() { platformTmpl.ResourceCountIs(jsii.String(typ), jsii.Number(float64(n))) })
	}
}

func TestRoutesAndAuthorizer(t *testing.T) {
	for _, key := range api.Routes() {
		auth := "JWT"
		if api.IsPublic(key) {
			auth = "NONE"
		}
		check(t, key, func() {
			platformTmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), &map[string]any{
				"RouteKey": key, "AuthorizationType": auth,
			})
		})
	}
	if !api.IsPublic("GET /v1/openapi.json") {
		t.Error("GET /v1/openapi.json must be public")
	}
	check(t, "JWT authorizer from the parameters", func() {
		platformTmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), &map[string]any{
			"AuthorizerType": "JWT",
			"JwtConfiguration": map[string]any{
				"Issuer":   map[string]any{"Ref": "JwtIssuer"},
				"Audience": map[string]any{"Ref": "JwtAudience"},
			},
		})
	})
	check(t, "access logs", func() {
		platformTmpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), &map[string]any{
			"AccessLogSettings": assertions.Match_ObjectLike(&map[string]any{"DestinationArn": assertions.Match_AnyValue()}),
		})
	})
}

// The table is store.TableDefinition's schema with PITR, KMS and TTL.
func TestTable(t *testing.T) {
	def := store.TableDefinition("x")
	var keys []any
	for _, k := range def.KeySchema {
		keys = append(keys, map[string]any{"AttributeName": *k.AttributeName, "KeyType": string(k.KeyType)})
	}
	keyID := onlyID(t, platformJSON, "AWS::KMS::Key")
	check(t, "table", func() {
		platformTmpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), &map[string]any{
			"KeySchema":                        keys,
			"BillingMode":                      "PAY_PER_REQUEST",
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"SSESpecification": map[string]any{
				"SSEEnabled": true, "SSEType": "KMS",
				"KMSMasterKeyId": map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}},
			},
			"TimeToLiveSpecification": map[string]any{"AttributeName": store.TTLAttribute, "Enabled": true},
			"GlobalSecondaryIndexes": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"IndexName": store.IndexGSI1}),
			}),
		})
	})
	check(t, "key rotation", func() {
		platformTmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), &map[string]any{"EnableKeyRotation": true})
	})
}

func TestFunctions(t *testing.T) {
	launcherKeys := launcherEnvKeys(t)
	fns := resources(platformJSON, "AWS::Lambda::Function")
	for id, fn := range fns {
		p := props(fn)
		if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || !slices.Equal(toStrings(p["Architectures"]), []string{"arm64"}) {
			t.Errorf("%s: runtime %v, handler %v, architectures %v; want provided.al2023, bootstrap, arm64", id, p["Runtime"], p["Handler"], p["Architectures"])
		}
		vars := p["Environment"].(map[string]any)["Variables"].(map[string]any)
		var keys []string
		for k := range vars {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, launcherKeys) {
			t.Errorf("%s: environment %v, the local launcher sets %v", id, keys, launcherKeys)
		}
		if p["TracingConfig"].(map[string]any)["Mode"] != "Active" {
			t.Errorf("%s: tracing not active", id)
		}
	}
}

// launcherEnvKeys reads the variable names of local/launcher's functionEnv
// from its source (importing the launcher would compile the whole local
// cloud into this module's tests).
func launcherEnvKeys(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(cfg.Root, "local", "launcher", "services.go"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	start := strings.Index(body, "func (c *Cloud) functionEnv()")
	if start < 0 {
		t.Fatal("functionEnv not found in local/launcher/services.go")
	}
	end := strings.Index(body[start:], "\n}\n")
	var keys []string
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9_]+)":`).FindAllStringSubmatch(body[start:start+end], -1) {
		keys = append(keys, m[1])
	}
	slices.Sort(keys)
	return keys
}

// The definitions are the ASL files verbatim, and every ${XFunctionArn}
// is substituted with Fn::GetAtt of the deployed function.
func TestStateMachineDefinitions(t *testing.T) {
	fnIDs := functionIDs(t)
	names, files, err := stateMachineFiles(cfg.Root)
	if err != nil {
		t.Fatal(err)
	}
	machines := map[string]map[string]any{}
	for id, sm := range resources(platformJSON, "AWS::StepFunctions::StateMachine") {
		machines[props(sm)["StateMachineName"].(string)] = sm
		_ = id
	}
	for _, name := range names {
		sm := machines["clusterforge-"+name]
		if sm == nil {
			t.Errorf("state machine %s not in the template", name)
			continue
		}
		p := props(sm)
		raw, _ := os.ReadFile(files[name])
		if p["DefinitionString"] != string(raw) {
			t.Errorf("%s: DefinitionString is not statemachines/%s.asl.json verbatim", name, name)
		}
		subs, _ := p["DefinitionSubstitutions"].(map[string]any)
		for _, m := range functionPlaceholder.FindAllStringSubmatch(string(raw), -1) {
			fnID := fnIDs[aslFunctionName(m[1])]
			want := map[string]any{"Fn::GetAtt": []any{fnID, "Arn"}}
			if got := subs[m[1]+"FunctionArn"]; fnID == "" || !jsonEqual(got, want) {
				t.Errorf("%s: ${%sFunctionArn} → %v, want %v", name, m[1], got, want)
			}
		}
		if lc := p["LoggingConfiguration"].(map[string]any); lc["Level"] != "ALL" {
			t.Errorf("%s: logging level %v", name, lc["Level"])
		}
		if tc := p["TracingConfiguration"].(map[string]any); tc["Enabled"] != true {
			t.Errorf("%s: tracing %v", name, tc)
		}
	}
}

// functionIDs maps function names (functions/<name>) to logical ids.
func functionIDs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, fn := range resources(platformJSON, "AWS::Lambda::Function") {
		out[strings.TrimPrefix(props(fn)["FunctionName"].(string), "clusterforge-")] = id
	}
	return out
}

func onlyID(t *testing.T, tmpl map[string]any, typ string) string {
	t.Helper()
	rs := resources(tmpl, typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s resources, want 1", len(rs), typ)
	}
	for id := range rs {
		return id
	}
	return ""
}
