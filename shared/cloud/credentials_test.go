package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const testRole = "arn:aws:iam::111122223333:role/clusterforge"

func TestAssumeRoleSendsExternalIDAndSessionName(t *testing.T) {
	var got url.Values
	srv := newQueryServer(t, func(key, action string, form url.Values) (int, string) {
		if action != "AssumeRole" || key != "AKIDPLATFORM" {
			return http.StatusBadRequest, stsError("InvalidAction", action+" by "+key)
		}
		got = form
		return http.StatusOK, assumeRoleXML("ASIAASSUMED")
	})
	access := Access{Type: AccessSTS, RoleARN: testRole, ExternalID: "tenant-ext-1"}
	p, err := CredentialsProvider(platformConfig(srv.URL, nil), access, "cl-42")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAASSUMED" || creds.SessionToken != "token" {
		t.Fatalf("credentials %+v", creds)
	}
	for field, want := range map[string]string{
		"RoleArn":         testRole,
		"ExternalId":      "tenant-ext-1",
		"RoleSessionName": "clusterforge-cl-42",
		"DurationSeconds": "3600",
	} {
		if got.Get(field) != want {
			t.Errorf("AssumeRole %s = %q, want %q", field, got.Get(field), want)
		}
	}
}

func TestStaticKeys(t *testing.T) {
	p, err := CredentialsProvider(platformConfig("http://unused", nil), Access{Type: AccessSecret, AccessKeyID: "AKIDCUSTOMER", SecretAccessKey: "s3cr3t"}, "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDCUSTOMER" || creds.SecretAccessKey != "s3cr3t" {
		t.Fatalf("%+v %v", creds, err)
	}
}

func TestInvalidAccess(t *testing.T) {
	for name, a := range map[string]Access{
		"no type":        {},
		"no secret":      {Type: AccessSecret, AccessKeyID: "AKID"},
		"bad role":       {Type: AccessSTS, RoleARN: "arn:aws:iam::1:user/x", ExternalID: "e"},
		"no external id": {Type: AccessSTS, RoleARN: testRole},
	} {
		if _, err := CredentialsProvider(platformConfig("http://unused", nil), a, "x"); !errors.Is(err, ErrInvalidAccess) {
			t.Errorf("%s: err %v, want ErrInvalidAccess", name, err)
		}
	}
}

func TestSessionName(t *testing.T) {
	for owner, want := range map[string]string{
		"cl-42":                  "clusterforge-cl-42",
		"":                       "clusterforge-platform",
		"a b/c":                  "clusterforge-a-b-c",
		strings.Repeat("x", 100): "clusterforge-" + strings.Repeat("x", 51),
	} {
		if got := SessionName(owner); got != want {
			t.Errorf("SessionName(%q) = %q, want %q", owner, got, want)
		}
	}
}

// A refused AssumeRole surfaces as a *CredentialsError naming the role and
// the AWS reason, which the API shows to the customer.
func TestAssumeRoleDeniedIsCredentialsError(t *testing.T) {
	srv := newQueryServer(t, func(key, action string, form url.Values) (int, string) {
		if action == "AssumeRole" {
			return http.StatusForbidden, stsError("AccessDenied", "User arn:aws:iam::999:role/platform is not authorized to perform: sts:AssumeRole")
		}
		return http.StatusOK, callerIdentityXML("arn:aws:sts::111122223333:assumed-role/clusterforge/x", "111122223333")
	})
	v := NewValidator(platformConfig(srv.URL, nil))
	_, err := v.Validate(context.Background(), Access{Type: AccessSTS, RoleARN: testRole, ExternalID: "wrong"}, "us-east-1")
	var ce *CredentialsError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want *CredentialsError", err, err)
	}
	msg := ce.Error()
	for _, want := range []string{"could not assume role " + testRole, "AccessDenied", "ExternalId", "trust policy"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestRejectedKeysIsCredentialsError(t *testing.T) {
	srv := newQueryServer(t, func(key, action string, form url.Values) (int, string) {
		return http.StatusForbidden, stsError("InvalidClientTokenId", "The security token included in the request is invalid.")
	})
	sess, err := NewSessionCache(platformConfig(srv.URL, nil), RateLimits{}).Session(Access{Type: AccessSecret, AccessKeyID: "AKIDBAD", SecretAccessKey: "x"}, "us-east-1", "acc-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sess.Identity(context.Background())
	var ce *CredentialsError
	if !errors.As(err, &ce) || ce.Code != "InvalidClientTokenId" || !strings.Contains(ce.Error(), "AKIDBAD") || strings.Contains(ce.Error(), "x;") {
		t.Fatalf("err = %v", err)
	}
}
