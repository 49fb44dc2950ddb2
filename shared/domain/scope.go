package domain

import "regexp"

// Scope is the tenant and project every object belongs to. It comes only
// from verified JWT claims, never from a request body, and is part of every
// storage key, so one tenant's requests cannot name another tenant's data.
type Scope struct {
	Tenant  string
	Project string
}

// scopePart is deliberately narrow: the values are embedded in DynamoDB keys
// ("T#<tenant>#P#<project>") and Secrets Manager names, where '#' or '/'
// would let one tenant's key spell another's.
var scopePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidScopePart reports whether a tenant or project claim is usable.
func ValidScopePart(s string) bool { return scopePart.MatchString(s) }
