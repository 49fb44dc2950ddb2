package domain

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	goodKeyID  = "AKIAIOSFODNN7EXAMPLE"
	goodSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	goodARN    = "arn:aws:iam::123456789012:role/clusterforge/ClusterForgeRole"
)

// wantInvalid asserts err is a *ValidationError whose problems include
// field with a message containing msg.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want *ValidationError for %s", err, field)
	}
	for _, fe := range ve.Errors {
		if fe.Field == field && strings.Contains(fe.Message, msg) {
			return
		}
	}
	t.Fatalf("errors %+v lack %s: %q", ve.Errors, field, msg)
}

func TestCloudAccountRequestValidate(t *testing.T) {
	secret := func(mut func(*CloudAccountRequest)) CloudAccountRequest {
		r := CloudAccountRequest{Name: "prod", Type: AccountSecret, AccessKeyID: goodKeyID, SecretAccessKey: goodSecret}
		mut(&r)
		return r
	}
	sts := func(mut func(*CloudAccountRequest)) CloudAccountRequest {
		r := CloudAccountRequest{Name: "prod", Type: AccountSTS, RoleARN: goodARN}
		mut(&r)
		return r
	}
	keep := func(*CloudAccountRequest) {}
	for _, ok := range []CloudAccountRequest{
		secret(keep), sts(keep),
		secret(func(r *CloudAccountRequest) { r.AccessKeyID = "ASIAIOSFODNN7EXAMPLE"; r.Name = strings.Repeat("a", 63) }),
		sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:iam::123456789012:role/Simple" }),
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%v: unexpected %v", ok, err)
		}
	}
	cases := []struct {
		name  string
		req   CloudAccountRequest
		field string
		msg   string
	}{
		{"missing name", secret(func(r *CloudAccountRequest) { r.Name = "" }), "name", "is required"},
		{"long name", secret(func(r *CloudAccountRequest) { r.Name = strings.Repeat("a", 64) }), "name", "at most 63"},
		{"upper name", secret(func(r *CloudAccountRequest) { r.Name = "Prod" }), "name", "DNS label"},
		{"dash name", secret(func(r *CloudAccountRequest) { r.Name = "prod-" }), "name", "DNS label"},
		{"missing type", secret(func(r *CloudAccountRequest) { r.Type = "" }), "type", "is required"},
		{"unknown type", secret(func(r *CloudAccountRequest) { r.Type = "gcp" }), "type", `unknown type "gcp"`},
		{"long type", secret(func(r *CloudAccountRequest) { r.Type = AccountType(strings.Repeat("x", 33)) }), "type", "at most 32"},
		{"missing key id", secret(func(r *CloudAccountRequest) { r.AccessKeyID = "" }), "accessKeyId", "is required"},
		{"short key id", secret(func(r *CloudAccountRequest) { r.AccessKeyID = "AKIA123" }), "accessKeyId", "must be 20"},
		{"bad key id prefix", secret(func(r *CloudAccountRequest) { r.AccessKeyID = "AKIBIOSFODNN7EXAMPLE" }), "accessKeyId", "AKIA or ASIA"},
		{"lower key id", secret(func(r *CloudAccountRequest) { r.AccessKeyID = "AKIAiosfodnn7example" }), "accessKeyId", "AKIA or ASIA"},
		{"missing secret", secret(func(r *CloudAccountRequest) { r.SecretAccessKey = "" }), "secretAccessKey", "is required"},
		{"short secret", secret(func(r *CloudAccountRequest) { r.SecretAccessKey = "abc" }), "secretAccessKey", "must be 40"},
		{"long secret", secret(func(r *CloudAccountRequest) { r.SecretAccessKey = goodSecret + "x" }), "secretAccessKey", "must be 40"},
		{"secret charset", secret(func(r *CloudAccountRequest) { r.SecretAccessKey = strings.Repeat("!", 40) }), "secretAccessKey", "only letters"},
		{"role on secret", secret(func(r *CloudAccountRequest) { r.RoleARN = goodARN }), "roleArn", "not allowed for type secret"},
		{"missing arn", sts(func(r *CloudAccountRequest) { r.RoleARN = "" }), "roleArn", "is required"},
		{"user arn", sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:iam::123456789012:user/bob" }), "roleArn", "IAM role ARN"},
		{"short account", sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:iam::12345:role/x" }), "roleArn", "IAM role ARN"},
		{"other service", sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:s3::123456789012:role/x" }), "roleArn", "IAM role ARN"},
		{"empty role name", sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:iam::123456789012:role/" }), "roleArn", "IAM role ARN"},
		{"long role name", sts(func(r *CloudAccountRequest) { r.RoleARN = "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65) }), "roleArn", "IAM role ARN"},
		{"long arn", sts(func(r *CloudAccountRequest) { r.RoleARN = goodARN + strings.Repeat("/p", 1100) }), "roleArn", "at most 2048"},
		{"keys on sts", sts(func(r *CloudAccountRequest) { r.AccessKeyID = goodKeyID }), "accessKeyId", "not allowed for type sts"},
		{"secret on sts", sts(func(r *CloudAccountRequest) { r.SecretAccessKey = goodSecret }), "secretAccessKey", "not allowed for type sts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			wantInvalid(t, err, tc.field, tc.msg)
			if strings.Contains(err.Error(), goodSecret) {
				t.Fatal("error message echoes the secret")
			}
		})
	}
}

func TestCloudAccountRequestHidesSecret(t *testing.T) {
	r := CloudAccountRequest{Name: "a", Type: AccountSecret, AccessKeyID: goodKeyID, SecretAccessKey: goodSecret}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "req", r, "key", r.AccessKey())
	for _, s := range []string{fmt.Sprint(r), fmt.Sprintf("%v %+v", r, &r), b.String(), r.AccessKey().String()} {
		if strings.Contains(s, goodSecret) {
			t.Fatalf("secret leaked: %s", s)
		}
	}
}

func TestIDs(t *testing.T) {
	a := NewID(PrefixCloudAccount, testNow)
	b := NewID(PrefixCloudAccount, testNow.Add(1))
	later := NewID(PrefixCloudAccount, testNow.Add(1e9))
	if !ValidID(PrefixCloudAccount, a) || ValidID(PrefixProfile, a) || a == b {
		t.Fatalf("ids %s %s", a, b)
	}
	if !(a[:14] < later[:14]) {
		t.Fatalf("ids do not sort by time: %s %s", a, later)
	}
	for _, bad := range []string{"", "acc-", "acc-" + strings.Repeat("0", 25), "acc-" + strings.Repeat("u", 26), "ACC-" + a[4:], a + "#x"} {
		if ValidID(PrefixCloudAccount, bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if x, y := NewExternalID(), NewExternalID(); x == y || len(x) != 35 {
		t.Fatalf("external ids %s %s", x, y)
	}
}

func TestValidateRegion(t *testing.T) {
	for _, ok := range []string{"us-east-1", "eu-west-1", "us-gov-west-1", "ap-southeast-2"} {
		if err := ValidateRegion("region", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "useast1", "US-EAST-1", "us-east", strings.Repeat("a", 40) + "-1"} {
		if err := ValidateRegion("region", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
