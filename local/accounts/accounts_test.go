package accounts

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	a, err := r.Add(Account{ID: "111111111111", Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.AdminKey, "AKIA") || len(a.AdminKey) != 20 || len(a.AdminSecret) != 40 {
		t.Fatalf("admin keys %q / %d chars", a.AdminKey, len(a.AdminSecret))
	}
	if _, err := r.Add(Account{ID: "111111111111"}); !errors.Is(err, ErrDuplicateAccount) {
		t.Fatalf("duplicate: %v", err)
	}
	c, ok := r.Lookup(a.AdminKey)
	if !ok || c.Principal.Kind != KindRoot || c.Principal.ARN != "arn:aws:iam::111111111111:root" {
		t.Fatalf("admin key resolves to %+v", c)
	}
	temp := Credential{AccessKeyID: NewAccessKeyID(TemporaryKeyPrefix), SecretAccessKey: "s",
		Principal: Principal{AccountID: "111111111111", Kind: KindAssumedRole, Expires: time.Now().Add(-time.Second)}}
	r.AddCredential(temp)
	got, ok := r.Lookup(temp.AccessKeyID)
	if !ok || !got.Principal.Expired(time.Now()) || !strings.HasPrefix(temp.AccessKeyID, "ASIA") {
		t.Fatalf("temporary key %+v", got)
	}
	r.RemoveCredential(temp.AccessKeyID)
	if _, ok := r.Lookup(temp.AccessKeyID); ok {
		t.Fatal("removed key still resolves")
	}
}
