package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/clusterforge/clusterforge/cmd/forge/internal/client"
	"github.com/clusterforge/clusterforge/cmd/forge/internal/exitcode"
)

// A noun is one API collection: where it lives and how its ids look.
type noun struct {
	kind, path, prefix string
}

var (
	accounts = noun{"cloud account", "/v1/cloudaccounts", "acc-"}
	profiles = noun{"cluster profile", "/v1/clusterprofiles", "prf-"}
	clusters = noun{"cluster", "/v1/clusters", "clu-"}
)

// resolve turns what the user typed into an id: ids pass through, names
// are looked up in the project's list (names are unique per project), so
// 'forge clusters get prod-eu' works as well as the id.
func (n noun) resolve(ctx context.Context, c *client.Client, ref string) (string, error) {
	if strings.HasPrefix(ref, n.prefix) {
		return ref, nil
	}
	items, err := c.ListAll(ctx, n.path)
	if err != nil {
		return "", fmt.Errorf("look up %s %q: %w", n.kind, ref, err)
	}
	named, err := client.DecodeAll[struct{ ID, Name string }](items)
	if err != nil {
		return "", fmt.Errorf("look up %s %q: %w", n.kind, ref, err)
	}
	for _, it := range named {
		if it.Name == ref {
			return it.ID, nil
		}
	}
	return "", exitcode.Wrap(exitcode.NotFound, fmt.Errorf("no %s named %q (ids start with %s)", n.kind, ref, n.prefix))
}

// itemPath is the path of one object.
func (n noun) itemPath(id string) string { return n.path + "/" + id }
