package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// ExternalIDResponse is the answer of GET /v1/cloudaccounts/externalid: what
// a customer puts in their role's trust policy.
type ExternalIDResponse struct {
	ExternalID        string `json:"externalId"`
	PlatformAccountID string `json:"platformAccountId"`
}

// ValidateRequest is the optional body of POST /v1/cloudaccounts/{id}/validate.
type ValidateRequest struct {
	Region string `json:"region,omitempty"`
}

func (h *Handler) createCloudAccount(ctx context.Context, r *request) (response, error) {
	var in domain.CloudAccountRequest
	if err := domain.DecodeStrict(r.body, &in); err != nil {
		return response{}, err
	}
	if err := in.Validate(); err != nil {
		return response{}, err
	}
	scope := r.principal.Scope
	acc := domain.NewCloudAccount(&in, domain.NewID(domain.PrefixCloudAccount, h.now()), h.now(), r.principal.Subject)
	if in.Type == domain.AccountSecret {
		// The secret exists before the item that points to it, so no stored
		// account ever lacks its keys; a failed item write removes it again.
		ref, err := h.deps.Secrets.PutAccessKey(ctx, scope, acc.ID, in.AccessKey())
		if err != nil {
			return response{}, fmt.Errorf("store access key: %w", err)
		}
		acc.SecretRef = ref
	}
	if err := h.deps.Store.CreateCloudAccount(ctx, scope, &acc); err != nil {
		h.dropSecret(ctx, r, acc.SecretRef)
		return response{}, fmt.Errorf("create cloud account: %w", err)
	}
	r.log.InfoContext(ctx, "cloud account created", "cloudAccountId", acc.ID, "type", string(acc.Type))
	return response{status: http.StatusCreated, body: acc,
		headers: map[string]string{"Location": "/v1/cloudaccounts/" + acc.ID}}, nil
}

// dropSecret deletes a secret whose account is gone or was never stored. A
// failure leaves a tagged orphan for the leak sweep, so it is logged, not
// returned.
func (h *Handler) dropSecret(ctx context.Context, r *request, ref string) {
	if ref == "" {
		return
	}
	if err := h.deps.Secrets.DeleteSecret(context.WithoutCancel(ctx), ref); err != nil {
		r.log.ErrorContext(ctx, "orphaned cloud account secret", "secretArn", ref, "err", err)
	}
}

func (h *Handler) listCloudAccounts(ctx context.Context, r *request) (response, error) {
	page, err := pageOf(r)
	if err != nil {
		return response{}, err
	}
	items, next, err := h.deps.Store.ListCloudAccounts(ctx, r.principal.Scope, page)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, List[domain.CloudAccount]{Items: items, NextToken: next}), nil
}

func (h *Handler) getCloudAccount(ctx context.Context, r *request) (response, error) {
	acc, err := h.loadCloudAccount(ctx, r)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, acc), nil
}

// loadCloudAccount reads the {id} account of the caller's project; ids of
// the wrong shape are simply not found.
func (h *Handler) loadCloudAccount(ctx context.Context, r *request) (*domain.CloudAccount, error) {
	id := r.params["id"]
	if !domain.ValidID(domain.PrefixCloudAccount, id) {
		return nil, notFound("cloud account")
	}
	acc, err := h.deps.Store.GetCloudAccount(ctx, r.principal.Scope, id)
	if err != nil {
		return nil, fmt.Errorf("load cloud account: %w", err)
	}
	return acc, nil
}

func (h *Handler) deleteCloudAccount(ctx context.Context, r *request) (response, error) {
	acc, err := h.loadCloudAccount(ctx, r)
	if err != nil {
		return response{}, err
	}
	inUse, err := h.deps.Store.CloudAccountInUse(ctx, r.principal.Scope, acc.ID)
	if err != nil {
		return response{}, err
	}
	if inUse {
		return response{}, &Error{Status: http.StatusConflict, Code: "in_use",
			Message: "clusters use this cloud account; delete them first"}
	}
	if err := h.deps.Store.DeleteCloudAccount(ctx, r.principal.Scope, acc); err != nil {
		return response{}, fmt.Errorf("delete cloud account: %w", err)
	}
	h.dropSecret(ctx, r, acc.SecretRef)
	r.log.InfoContext(ctx, "cloud account deleted", "cloudAccountId", acc.ID)
	return response{status: http.StatusNoContent}, nil
}

func (h *Handler) getExternalID(ctx context.Context, r *request) (response, error) {
	id, err := h.deps.Store.ExternalID(ctx, r.principal.Scope.Tenant)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, ExternalIDResponse{ExternalID: id, PlatformAccountID: h.deps.PlatformAccountID}), nil
}

func (h *Handler) validateCloudAccount(ctx context.Context, r *request) (response, error) {
	in := ValidateRequest{}
	if len(r.body) > 0 {
		if err := domain.DecodeStrict(r.body, &in); err != nil {
			return response{}, err
		}
	}
	if in.Region == "" {
		in.Region = domain.DefaultRegion
	}
	if err := domain.ValidateRegion("region", in.Region); err != nil {
		return response{}, err
	}
	acc, err := h.loadCloudAccount(ctx, r)
	if err != nil {
		return response{}, err
	}
	if h.deps.Validator == nil {
		return response{}, &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "account validation is not available yet"}
	}
	access, err := h.accessOf(ctx, r, acc)
	if err != nil {
		return response{}, err
	}
	report, err := h.deps.Validator.Validate(ctx, access, in.Region)
	if err != nil {
		return response{}, fmt.Errorf("validate cloud account %s: %w", acc.ID, err)
	}
	// Lists are always arrays in the contract, never null.
	if report.MissingPermissions == nil {
		report.MissingPermissions = []string{}
	}
	if report.Quotas == nil {
		report.Quotas = []cloud.QuotaHeadroom{}
	}
	return jsonResponse(http.StatusOK, report), nil
}

// accessOf builds the in-memory access to the account: the key pair from
// Secrets Manager, or the role with the tenant's ExternalId.
func (h *Handler) accessOf(ctx context.Context, r *request, acc *domain.CloudAccount) (cloud.Access, error) {
	switch acc.Type {
	case domain.AccountSecret:
		key, err := h.deps.Secrets.GetAccessKey(ctx, acc.SecretRef)
		if err != nil {
			return cloud.Access{}, fmt.Errorf("load access key of %s: %w", acc.ID, err)
		}
		return cloud.Access{Type: cloud.AccessSecret, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, nil
	case domain.AccountSTS:
		ext, err := h.deps.Store.ExternalID(ctx, r.principal.Scope.Tenant)
		if err != nil {
			return cloud.Access{}, err
		}
		return cloud.Access{Type: cloud.AccessSTS, RoleARN: acc.RoleARN, ExternalID: ext}, nil
	default:
		return cloud.Access{}, errors.New("cloud account " + acc.ID + " has unknown type " + string(acc.Type))
	}
}
