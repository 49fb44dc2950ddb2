package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clusterforge/clusterforge/shared/domain"
)

func (h *Handler) createClusterProfile(ctx context.Context, r *request) (response, error) {
	var in domain.ClusterProfileRequest
	if err := domain.DecodeStrict(r.body, &in); err != nil {
		return response{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return response{}, err
	}
	p := domain.NewClusterProfile(&in, domain.NewID(domain.PrefixProfile, h.now()), h.now(), r.principal.Subject)
	if err := h.deps.Store.CreateClusterProfile(ctx, r.principal.Scope, &p); err != nil {
		return response{}, fmt.Errorf("create cluster profile: %w", err)
	}
	r.log.InfoContext(ctx, "cluster profile created", "profileId", p.ID)
	return response{status: http.StatusCreated, body: p,
		headers: map[string]string{"Location": "/v1/clusterprofiles/" + p.ID}}, nil
}

func (h *Handler) listClusterProfiles(ctx context.Context, r *request) (response, error) {
	page, err := pageOf(r)
	if err != nil {
		return response{}, err
	}
	items, next, err := h.deps.Store.ListClusterProfiles(ctx, r.principal.Scope, page)
	if err != nil {
		return response{}, err
	}
	return jsonResponse(http.StatusOK, List[domain.ClusterProfile]{Items: items, NextToken: next}), nil
}

func (h *Handler) getClusterProfile(ctx context.Context, r *request) (response, error) {
	id := r.params["id"]
	if !domain.ValidID(domain.PrefixProfile, id) {
		return response{}, notFound("cluster profile")
	}
	p, err := h.deps.Store.GetClusterProfile(ctx, r.principal.Scope, id)
	if err != nil {
		return response{}, fmt.Errorf("load cluster profile: %w", err)
	}
	return jsonResponse(http.StatusOK, p), nil
}
