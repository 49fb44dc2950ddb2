package api

import (
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// Role is the caller's role claim.
type Role string

// Roles, from most to least powerful.
const (
	RoleTenantAdmin   Role = "tenant-admin"
	RoleProjectAdmin  Role = "project-admin"
	RoleProjectEditor Role = "project-editor"
	RoleViewer        Role = "viewer"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleProjectEditor: 2, RoleProjectAdmin: 3, RoleTenantAdmin: 4}

// AtLeast reports whether r has every right of min.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] }

// Principal is the verified caller: API Gateway's JWT authorizer checked
// the token, so the claims are trusted as they arrive.
type Principal struct {
	Scope   domain.Scope
	Role    Role
	Subject string
}

// Claim names set by the identity provider.
const (
	ClaimTenant  = "tenant"
	ClaimProject = "project"
	ClaimRole    = "role"
	ClaimSubject = "sub"
)

func unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// authenticate reads the principal from the authorizer's claims and checks
// the route's minimum role.
func authenticate(ev *events.APIGatewayV2HTTPRequest, minRole Role) (Principal, error) {
	auth := ev.RequestContext.Authorizer
	if auth == nil || auth.JWT == nil || len(auth.JWT.Claims) == 0 {
		return Principal{}, unauthorized("missing bearer token claims")
	}
	claims := auth.JWT.Claims
	p := Principal{
		Scope:   domain.Scope{Tenant: claims[ClaimTenant], Project: claims[ClaimProject]},
		Role:    Role(claims[ClaimRole]),
		Subject: claims[ClaimSubject],
	}
	switch {
	case !domain.ValidScopePart(p.Scope.Tenant):
		return Principal{}, unauthorized("token has no valid tenant claim")
	case !domain.ValidScopePart(p.Scope.Project):
		return Principal{}, unauthorized("token has no valid project claim")
	case roleRank[p.Role] == 0:
		return Principal{}, unauthorized("token has no known role claim")
	case !p.Role.AtLeast(minRole):
		return Principal{}, &Error{Status: http.StatusForbidden, Code: "forbidden",
			Message: "this action needs the " + string(minRole) + " role or higher"}
	}
	return p, nil
}
