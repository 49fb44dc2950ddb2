package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/clusterforge/clusterforge/shared/cloud"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
)

// NetworkLister lists a customer account's VPCs and subnets in a region,
// for the console's static placement pickers; SessionNetworks implements
// it. Errors are classified as AccountValidator's are (422 for refused
// credentials or permissions).
type NetworkLister interface {
	ListNetworks(ctx context.Context, access cloud.Access, region string) ([]cloud.VPCNetwork, error)
}

// SessionNetworks lists networks with the process's session cache, sharing
// the account's request budget and assumed-role credentials.
type SessionNetworks struct{ Sessions *cloud.SessionCache }

// networkOwner names the role session of these reads in CloudTrail.
const networkOwner = "console"

// ListNetworks reads the VPCs, subnets and route tables with the
// customer's access.
func (s SessionNetworks) ListNetworks(ctx context.Context, access cloud.Access, region string) ([]cloud.VPCNetwork, error) {
	sess, err := s.Sessions.Session(access, region, networkOwner)
	if err != nil {
		return nil, err
	}
	return sess.DescribeNetworks(ctx)
}

// VPCList is the answer of GET /v1/cloudaccounts/{id}/vpcs: every VPC of
// the region, not paged (AWS's default quota is five VPCs per region).
type VPCList struct {
	Items []cloud.VPCNetwork `json:"items"`
}

// listCloudAccountVPCs answers GET /v1/cloudaccounts/{id}/vpcs?region=…:
// the account's VPCs with their subnets, read with the account's access.
func (h *Handler) listCloudAccountVPCs(ctx context.Context, r *request) (response, error) {
	// The account first: another scope's account is not found whatever
	// the query says.
	acc, err := h.loadCloudAccount(ctx, r)
	if err != nil {
		var apiErr *Error
		if errors.Is(err, store.ErrNotFound) || (errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound) {
			return response{}, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "cloud account not found", Field: "id"}
		}
		return response{}, err
	}
	region := r.event.QueryStringParameters["region"]
	if err := h.checkKnownRegion(region); err != nil {
		return response{}, err
	}
	if h.deps.Networks == nil {
		return response{}, &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "listing an account's networks is not available"}
	}
	access, err := h.accessOf(ctx, r, acc)
	if err != nil {
		return response{}, err
	}
	vpcs, err := h.deps.Networks.ListNetworks(ctx, access, region)
	if err != nil {
		return response{}, fmt.Errorf("list networks of cloud account %s in %s: %w", acc.ID, region, err)
	}
	// Lists are always arrays in the contract, never null.
	if vpcs == nil {
		vpcs = []cloud.VPCNetwork{}
	}
	for i := range vpcs {
		if vpcs[i].Subnets == nil {
			vpcs[i].Subnets = []cloud.SubnetNetwork{}
		}
	}
	return jsonResponse(http.StatusOK, VPCList{Items: vpcs}), nil
}

// checkKnownRegion refuses a missing region or one the catalog does not
// know, as cluster create does: the pickers offer nothing a cluster could
// not be created in.
func (h *Handler) checkKnownRegion(region string) error {
	if err := domain.ValidateRegion("region", region); err != nil {
		return err
	}
	if !slices.Contains(h.catalog.Regions(), region) {
		return badRequest("region", fmt.Sprintf("unknown region %q; known: %v", region, h.catalog.Regions()))
	}
	return nil
}
