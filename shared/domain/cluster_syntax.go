package domain

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// Syntax rules shared by the cluster validators. Each check returns "" when
// the value is fine, or the message to report, so the caller chooses the
// field path.

var (
	dnsSubdomainRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// k8sNameRe is a Kubernetes qualified name's name part and a label value.
	k8sNameRe = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	// awsTagRe is the character set AWS accepts in tag keys and values on
	// every service we tag (EC2, ELBv2, IAM).
	awsTagRe     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	sshKeyNameRe = regexp.MustCompile(`^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$`)
	vpcIDRe      = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDRe   = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// Name lengths.
const (
	MaxDNSLabel           = 63
	MaxClusterName        = 40 // "<name>-apiserver" must fit ELBv2's 32-char limit once hashed, Name tags stay readable
	MaxClusterDescription = 256
	MaxUserTags           = 40 // AWS allows 50 per resource; we add up to 8 of our own
	MaxTagKey             = 128
	MaxTagValue           = 256
	MaxSSHKeyName         = 255
	MaxAllowedCIDRs       = 50 // security-group inbound rules per group, with room for ours
	maxLabelPrefixLen     = 253
)

// reservedTagPrefixes are tag keys we set ourselves; a user tag there would
// break ownership discovery or the cloud controller's subnet discovery.
var reservedTagPrefixes = []string{"kubernetes.io/", "sigs.k8s.io/", "clusterforge.io/"}

func checkDNSLabel(s string, maxLen int) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > maxLen:
		return fmt.Sprintf("must be at most %d characters", maxLen)
	case !dnsLabel.MatchString(s): // rules.go
		return "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit"
	}
	return ""
}

// checkQualifiedName checks a Kubernetes label or taint key: an optional DNS
// subdomain prefix and '/', then a name of at most 63 characters. It also
// refuses the prefixes a kubelet may not set on its own node: kubernetes.io
// and k8s.io (and their subdomains) belong to Kubernetes, except
// node.kubernetes.io and kubelet.kubernetes.io, which the NodeRestriction
// admission plugin lets a kubelet self-assign. node-role.kubernetes.io in
// particular is refused with its own message because users often try it.
func checkQualifiedName(key string) string {
	if msg := checkLabelKey(key); msg != "" {
		return msg
	}
	if prefix, _, hasPrefix := strings.Cut(key, "/"); hasPrefix {
		switch {
		case prefix == "node-role.kubernetes.io":
			return "node-role.kubernetes.io/ cannot be set by the kubelet; the control-plane role is set by ClusterForge"
		case prefix == "node.kubernetes.io" || prefix == "kubelet.kubernetes.io":
			// allowed: kubelet self-labels
		case isReservedK8sPrefix(prefix):
			return fmt.Sprintf("prefix %s/ is reserved for Kubernetes", prefix)
		case prefix == "clusterforge.io" || strings.HasSuffix(prefix, ".clusterforge.io"):
			return "prefix clusterforge.io/ is reserved for ClusterForge"
		}
	}
	return ""
}

// checkLabelKey checks the syntax of a Kubernetes label key alone: an
// optional DNS subdomain prefix and '/', then a name of at most 63
// characters. Pod labels (Fargate selectors) need no more than that.
func checkLabelKey(key string) string {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		name = key
	}
	switch {
	case !hasPrefix:
	case prefix == "":
		return "prefix before '/' must not be empty"
	case len(prefix) > maxLabelPrefixLen || !dnsSubdomainRe.MatchString(prefix):
		return "prefix must be a DNS subdomain of at most 253 characters"
	}
	switch {
	case name == "":
		return "name part must not be empty"
	case len(name) > MaxDNSLabel:
		return fmt.Sprintf("name part must be at most %d characters", MaxDNSLabel)
	case !k8sNameRe.MatchString(name):
		return "name part must be alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character"
	}
	return ""
}

func isReservedK8sPrefix(prefix string) bool {
	for _, d := range []string{"kubernetes.io", "k8s.io"} {
		if prefix == d || strings.HasSuffix(prefix, "."+d) {
			return true
		}
	}
	return false
}

// checkLabelValue checks a Kubernetes label value (also used for taint values).
func checkLabelValue(v string) string {
	switch {
	case v == "":
		return ""
	case len(v) > MaxDNSLabel:
		return fmt.Sprintf("must be at most %d characters", MaxDNSLabel)
	case !k8sNameRe.MatchString(v):
		return "must be alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character"
	}
	return ""
}

func checkTagKey(k string) string {
	switch {
	case k == "":
		return "must not be empty"
	case len([]rune(k)) > MaxTagKey:
		return fmt.Sprintf("must be at most %d characters", MaxTagKey)
	case !awsTagRe.MatchString(k):
		return "may contain only letters, digits, spaces and _ . : / = + - @"
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return "the aws: prefix is reserved by AWS"
	case k == "Name":
		return "Name is set by ClusterForge for each resource"
	}
	for _, p := range reservedTagPrefixes {
		if strings.HasPrefix(k, p) {
			return fmt.Sprintf("the %s prefix is reserved by ClusterForge", p)
		}
	}
	return ""
}

func checkTagValue(v string) string {
	switch {
	case len([]rune(v)) > MaxTagValue:
		return fmt.Sprintf("must be at most %d characters", MaxTagValue)
	case !awsTagRe.MatchString(v):
		return "may contain only letters, digits, spaces and _ . : / = + - @"
	}
	return ""
}

// checkIPv4CIDR checks a CIDR used in a security-group rule. AWS rejects
// non-canonical CIDRs there, so we do too, and say what was meant.
func checkIPv4CIDR(cidr string) string {
	p, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil || !p.Addr().Is4():
		return fmt.Sprintf("%q is not an IPv4 CIDR", cidr)
	case p.Masked() != p:
		return fmt.Sprintf("%q has host bits set; did you mean %s?", cidr, p.Masked())
	}
	return ""
}

// checkRefID checks the syntax of one of our ids (acc-…, prf-…); whether it
// exists, in the caller's scope, is the API's business.
func checkRefID(id, prefix string) string {
	switch {
	case id == "":
		return "is required"
	case !ValidID(prefix, id):
		return fmt.Sprintf("must be an id of the form %s-<26 characters>", prefix)
	}
	return ""
}

// fieldAt builds an indexed field path: fieldAt("nodePools", 1) = "nodePools[1]".
func fieldAt(base string, i int) string { return string(Path(base).Index(i)) }

// fieldKey builds a map entry's path: labels.tier, labels["example.com/gpu"].
func fieldKey(base, key string) string { return string(Path(base).Key(key)) }
