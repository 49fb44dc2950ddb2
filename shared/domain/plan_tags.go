package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"
)

// Tag keys and values ClusterForge sets. The cluster-api-provider-aws and
// kubernetes.io ones are what the AWS cloud controller and load balancer
// controller use to discover the cluster's subnets and resources; the
// clusterforge.io ones are what our own leak scans and idempotent lookups use.
const (
	TagName            = "Name"
	TagClusterID       = "clusterforge.io/cluster-id"
	TagResourceKey     = "clusterforge.io/resource-key"
	TagCAPARole        = "sigs.k8s.io/cluster-api-provider-aws/role"
	TagELBRole         = "kubernetes.io/role/elb"
	TagInternalELBRole = "kubernetes.io/role/internal-elb"
	TagOwned           = "owned"
	TagShared          = "shared" // on static resources we use but did not create
)

// CAPAClusterTag is sigs.k8s.io/cluster-api-provider-aws/cluster/<name>.
func CAPAClusterTag(clusterName string) string {
	return "sigs.k8s.io/cluster-api-provider-aws/cluster/" + clusterName
}

// KubernetesClusterTag is kubernetes.io/cluster/<name>, which the cloud
// controller also puts on the load balancers it creates; deletion finds them by it.
func KubernetesClusterTag(clusterName string) string {
	return "kubernetes.io/cluster/" + clusterName
}

// ResourceName is the Name tag of a planned resource: the cluster name and
// the resource key, e.g. prod-eu-subnet-public-eu-west-1a.
func ResourceName(clusterName, resourceKey string) string {
	return clusterName + "-" + strings.ReplaceAll(resourceKey, "/", "-")
}

// Tags is the tag set of a resource we create: the user's tags, then ours
// (which win; validation keeps users out of our prefixes anyway). It is
// passed in TagSpecifications at creation, never with a second CreateTags.
func Tags(clusterName, clusterID, resourceKey string, userTags map[string]string) map[string]string {
	t := maps.Clone(userTags)
	if t == nil {
		t = map[string]string{}
	}
	t[TagName] = ResourceName(clusterName, resourceKey)
	t[CAPAClusterTag(clusterName)] = TagOwned
	t[KubernetesClusterTag(clusterName)] = TagOwned
	t[TagClusterID] = clusterID
	t[TagResourceKey] = resourceKey
	switch {
	case strings.HasPrefix(resourceKey, "subnet/"+RolePublic+"/"):
		t[TagELBRole] = "1"
		t[TagCAPARole] = RolePublic
	case strings.HasPrefix(resourceKey, "subnet/"+RolePrivate+"/"):
		t[TagInternalELBRole] = "1"
		t[TagCAPARole] = RolePrivate
	}
	return t
}

// SharedSubnetTags are the discovery tags a static subnet must carry (or that
// we add, as "shared", when the customer allows it) for the cloud
// controller to place load balancers.
func SharedSubnetTags(clusterName, role string) map[string]string {
	t := map[string]string{KubernetesClusterTag(clusterName): TagShared, TagCAPARole: role}
	if role == RolePublic {
		t[TagELBRole] = "1"
	} else {
		t[TagInternalELBRole] = "1"
	}
	return t
}

// MaxClientToken is EC2's limit on ClientToken length.
const MaxClientToken = 64

// ClientToken is the idempotency token of the create call for a resource:
// the same (cluster, resource, generation) always gives the same token, so a
// retried or resumed task gets the resource it created before instead of a
// second one. generation changes when a resource must really be replaced
// (e.g. a node rolled by an update). 64 ASCII characters.
func ClientToken(clusterID, resourceKey string, generation int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", clusterID, resourceKey, generation)))
	// "cf1-" marks the scheme's version; 60 hex characters keep 240 bits.
	return ("cf1-" + hex.EncodeToString(sum[:]))[:MaxClientToken]
}

// MaxELBName is ELBv2's limit on load balancer and target group names.
const MaxELBName = 32

// ELBName is a load balancer or target group name: unique per cluster (the
// names are per account and region, and two projects may both have a
// cluster called prod), at most 32 characters of [a-zA-Z0-9-], and still
// recognisable: as much of the cluster name as fits, the suffix, a hash.
// AWS refuses names starting with "internal-", which a cluster called
// "internal" would produce, so those get a "cf-" prefix.
func ELBName(clusterName, clusterID, suffix string) string {
	sum := sha256.Sum256([]byte(clusterID + "\x00" + suffix))
	tail := suffix + "-" + hex.EncodeToString(sum[:4])
	head := clusterName
	if strings.HasPrefix(head+"-", "internal-") {
		head = "cf-" + head
	}
	head = strings.Trim(head[:min(len(head), max(MaxELBName-len(tail)-1, 0))], "-")
	if head == "" {
		return tail[:min(len(tail), MaxELBName)]
	}
	return head + "-" + tail
}
