package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
	"github.com/clusterforge/clusterforge/shared/store/storetest"
)

var (
	ctx    = context.Background()
	scopeA = domain.Scope{Tenant: "acme", Project: "web"}
	scopeB = domain.Scope{Tenant: "globex", Project: "web"}
	now    = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
)

func account(name string) *domain.CloudAccount {
	return &domain.CloudAccount{
		ID: domain.NewID(domain.PrefixCloudAccount, time.Now()), Name: name, Type: domain.AccountSTS,
		RoleARN: "arn:aws:iam::123456789012:role/cf", CreatedAt: now,
	}
}

func profile(name string) *domain.ClusterProfile {
	return &domain.ClusterProfile{
		ID: domain.NewID(domain.PrefixProfile, time.Now()), Name: name, Cloud: "aws", CreatedAt: now,
		Layers: []domain.Layer{{Type: domain.LayerOS, Name: "ubuntu", Version: "22.04", Values: "a: 1\n"}},
	}
}

func TestCloudAccountLifecycle(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a := account("prod")
	if err := s.CreateCloudAccount(ctx, scopeA, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetCloudAccount(ctx, scopeA, a.ID)
	if err != nil || got.Name != "prod" || got.Version != 1 || !got.CreatedAt.Equal(now) || got.RoleARN != a.RoleARN {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Same name in the same project: refused. Other project/tenant: fine.
	if err := s.CreateCloudAccount(ctx, scopeA, account("prod")); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if err := s.CreateCloudAccount(ctx, scopeB, account("prod")); err != nil {
		t.Fatalf("same name other tenant: %v", err)
	}
	if _, err := s.GetCloudAccount(ctx, scopeB, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant reads: %v", err)
	}
	if _, err := s.GetCloudAccount(ctx, domain.Scope{Tenant: "acme", Project: "other"}, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other project reads: %v", err)
	}
	// Deleting another tenant's id with the right version does nothing.
	if err := s.DeleteCloudAccount(ctx, scopeB, got); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other tenant deletes: %v", err)
	}
	stale := *got
	stale.Version = 7
	if err := s.DeleteCloudAccount(ctx, scopeA, &stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := s.DeleteCloudAccount(ctx, scopeA, got); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetCloudAccount(ctx, scopeA, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	// The name is free again.
	if err := s.CreateCloudAccount(ctx, scopeA, account("prod")); err != nil {
		t.Fatalf("reuse name: %v", err)
	}
}

func TestListPagination(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	var want []string
	for i := range 5 {
		a := account(fmt.Sprintf("a%d", i))
		a.ID = domain.NewID(domain.PrefixCloudAccount, now.Add(time.Duration(i)*time.Second))
		want = append(want, a.ID)
		if err := s.CreateCloudAccount(ctx, scopeA, a); err != nil {
			t.Fatal(err)
		}
	}
	// Profiles and name items share the partition and must not show up.
	if err := s.CreateClusterProfile(ctx, scopeA, profile("p")); err != nil {
		t.Fatal(err)
	}
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		items, next, err := s.ListCloudAccounts(ctx, scopeA, store.Page{Limit: 2, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > 2 || pages > 3 {
			t.Fatalf("page of %d, page %d", len(items), pages)
		}
		for _, a := range items {
			got = append(got, a.ID)
		}
		if next == "" {
			break
		}
		token = next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v in creation order", got, want)
	}
	// A token is only good for the partition it came from.
	_, next, err := s.ListCloudAccounts(ctx, scopeA, store.Page{Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: %q %v", next, err)
	}
	for _, bad := range []string{next, "garbage!", "e30"} {
		if _, _, err := s.ListCloudAccounts(ctx, scopeB, store.Page{Token: bad}); !errors.Is(err, store.ErrInvalidToken) {
			t.Fatalf("token %q in other scope: %v", bad, err)
		}
	}
	if items, _, err := s.ListCloudAccounts(ctx, scopeB, store.Page{}); err != nil || len(items) != 0 {
		t.Fatalf("other tenant lists %d: %v", len(items), err)
	}
}

func TestProfileOptimisticLocking(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	p := profile("base")
	if err := s.CreateClusterProfile(ctx, scopeA, p); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClusterProfile(ctx, scopeA, profile("other")); err != nil {
		t.Fatal(err)
	}
	first, _ := s.GetClusterProfile(ctx, scopeA, p.ID)
	second, _ := s.GetClusterProfile(ctx, scopeA, p.ID)

	first.Description = "first writer"
	if err := s.UpdateClusterProfile(ctx, scopeA, first); err != nil || first.Version != 2 {
		t.Fatalf("first update: v%d %v", first.Version, err)
	}
	second.Description = "second writer, stale"
	if err := s.UpdateClusterProfile(ctx, scopeA, second); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	got, _ := s.GetClusterProfile(ctx, scopeA, p.ID)
	if got.Description != "first writer" || got.Version != 2 {
		t.Fatalf("stored %+v", got)
	}
	// Renames move the uniqueness item, and cannot take a used name.
	got.Name = "other"
	if err := s.UpdateClusterProfile(ctx, scopeA, got); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("rename onto taken name: %v", err)
	}
	got.Name = "renamed"
	if err := s.UpdateClusterProfile(ctx, scopeA, got); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if err := s.CreateClusterProfile(ctx, scopeA, profile("base")); err != nil {
		t.Fatalf("old name should be free: %v", err)
	}
	if err := s.CreateClusterProfile(ctx, scopeA, profile("renamed")); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("new name should be taken: %v", err)
	}
	missing := profile("ghost")
	if err := s.UpdateClusterProfile(ctx, scopeA, missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
}

func TestExternalID(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a1, err := s.ExternalID(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.ExternalID(ctx, "acme")
	b, _ := s.ExternalID(ctx, "globex")
	if a1 == "" || a1 != a2 || a1 == b {
		t.Fatalf("acme %q %q, globex %q", a1, a2, b)
	}
}

func TestIdempotencyClaims(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	clock := now
	s.Now = func() time.Time { return clock }

	if rec, err := s.ClaimIdempotencyKey(ctx, scopeA, "k1", "fp1"); rec != nil || err != nil {
		t.Fatalf("first claim: %+v %v", rec, err)
	}
	rec, err := s.ClaimIdempotencyKey(ctx, scopeA, "k1", "fp1")
	if err != nil || rec == nil || rec.State != store.IdempotencyInProgress {
		t.Fatalf("concurrent claim: %+v %v", rec, err)
	}
	// Same key in another tenant is a different key.
	if rec, err := s.ClaimIdempotencyKey(ctx, scopeB, "k1", "fpX"); rec != nil || err != nil {
		t.Fatalf("other tenant claim: %+v %v", rec, err)
	}
	done := store.IdempotencyRecord{Fingerprint: "fp1", StatusCode: 201, Body: `{"id":"x"}`}
	if err := s.CompleteIdempotencyKey(ctx, scopeA, "k1", done); err != nil {
		t.Fatal(err)
	}
	rec, _ = s.ClaimIdempotencyKey(ctx, scopeA, "k1", "fp2")
	if rec == nil || rec.State != store.IdempotencyCompleted || rec.Fingerprint != "fp1" || rec.StatusCode != 201 || rec.Body != `{"id":"x"}` {
		t.Fatalf("replay record: %+v", rec)
	}
	// An abandoned in-progress claim is taken over after its lease.
	if rec, _ := s.ClaimIdempotencyKey(ctx, scopeA, "k2", "fp"); rec != nil {
		t.Fatal("k2 claim")
	}
	clock = clock.Add(store.IdempotencyLease + time.Second)
	if rec, err := s.ClaimIdempotencyKey(ctx, scopeA, "k2", "fp"); rec != nil || err != nil {
		t.Fatalf("takeover: %+v %v", rec, err)
	}
	// Released keys run again; completed keys expire after the TTL.
	if err := s.ReleaseIdempotencyKey(ctx, scopeA, "k2"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := s.ClaimIdempotencyKey(ctx, scopeA, "k2", "fp"); rec != nil {
		t.Fatalf("after release: %+v", rec)
	}
	clock = clock.Add(store.IdempotencyTTL + time.Minute)
	if rec, _ := s.ClaimIdempotencyKey(ctx, scopeA, "k1", "fp2"); rec != nil {
		t.Fatalf("expired key: %+v", rec)
	}
}

func TestCloudAccountInUse(t *testing.T) {
	env := storetest.New(t)
	s := env.Store
	a := account("used")
	if err := s.CreateCloudAccount(ctx, scopeA, a); err != nil {
		t.Fatal(err)
	}
	if used, err := s.CloudAccountInUse(ctx, scopeA, a.ID); used || err != nil {
		t.Fatalf("fresh account in use: %v %v", used, err)
	}
	// A cluster item as the next issue will write it.
	pk, sk := store.AccountUseKeys(scopeA, a.ID, "clu-1")
	_, err := env.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Table), Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: store.ScopePK(scopeA)}, "SK": &types.AttributeValueMemberS{Value: "CLU#clu-1"},
		"GSI1PK": &types.AttributeValueMemberS{Value: pk}, "GSI1SK": &types.AttributeValueMemberS{Value: sk},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if used, err := s.CloudAccountInUse(ctx, scopeA, a.ID); !used || err != nil {
		t.Fatalf("account with cluster: %v %v", used, err)
	}
	if used, _ := s.CloudAccountInUse(ctx, scopeB, a.ID); used {
		t.Fatal("other tenant sees the use")
	}
}

func TestSecrets(t *testing.T) {
	env := storetest.New(t)
	key := domain.AccessKey{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	ref, err := env.Secrets.PutAccessKey(ctx, scopeA, "acc-1", key)
	if err != nil || ref == "" {
		t.Fatalf("put: %q %v", ref, err)
	}
	if names := env.SecretNames(t); len(names) != 1 || names[0] != env.SecretPrefix+"acme/acc-1" {
		t.Fatalf("names %v", names)
	}
	got, err := env.Secrets.GetAccessKey(ctx, ref)
	if err != nil || got != key {
		t.Fatalf("get: %v", err)
	}
	if err := env.Secrets.DeleteSecret(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := env.Secrets.DeleteSecret(ctx, ref); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := env.Secrets.GetAccessKey(ctx, ref); err == nil {
		t.Fatal("deleted secret readable")
	}
}
