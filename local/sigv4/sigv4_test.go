package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func signed(t *testing.T, body, secret string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://localhost:4566/?x=1", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "unsigned-by-sdk")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: secret, SessionToken: "tok"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerify(t *testing.T) {
	body := "Action=ListRoles&Version=2010-05-08"
	r := signed(t, body, "right")
	if err := Verify(r, []byte(body), "right"); err != nil {
		t.Fatalf("valid signature: %v", err)
	}
	if err := Verify(r, []byte(body), "wrong"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong secret: %v, want ErrMismatch", err)
	}
	if err := Verify(r, []byte(body+"&Extra=1"), "right"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("tampered body: %v, want ErrMismatch", err)
	}
	r.Header.Set("X-Amz-Security-Token", "other")
	if err := Verify(r, []byte(body), "right"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("tampered signed header: %v, want ErrMismatch", err)
	}
}

func TestParseAuthorization(t *testing.T) {
	a, err := ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	if err != nil || a.AccessKeyID != "AKID" || a.Service != "ec2" || len(a.SignedHeaders) != 2 || a.Signature != "abc" {
		t.Fatalf("ParseAuthorization = %+v, %v", a, err)
	}
	if _, err := ParseAuthorization("Basic xyz"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Basic auth: %v, want ErrMalformed", err)
	}
}
