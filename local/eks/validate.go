package eks

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/clusterforge/clusterforge/local/ec2"
)

// SupportedVersions are the Kubernetes versions the emulated EKS offers.
var SupportedVersions = []string{"1.30", "1.31", "1.32", "1.33", "1.34"}

// DefaultVersion is what EKS picks when a create names no version.
const DefaultVersion = "1.33"

var (
	clusterNameRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
	childNameRE   = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,62}$`)
	roleARNRE     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]+/)?([\w+=,.@-]{1,64})$`)
	kmsKeyARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$`)
)

var (
	logTypes     = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	taintEffects = []string{"NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"}
	amiTypes     = []string{"AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64", "CUSTOM",
		"BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64_FIPS", "BOTTLEROCKET_x86_64_FIPS",
		"BOTTLEROCKET_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA", "WINDOWS_CORE_2019_x86_64", "WINDOWS_FULL_2019_x86_64",
		"WINDOWS_CORE_2022_x86_64", "WINDOWS_FULL_2022_x86_64", "AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD",
		"AL2023_x86_64_NEURON", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA"}
)

// checkAMIType applies the AMI type enum, and that Amazon Linux 2 images
// stop at Kubernetes 1.32.
func checkAMIType(amiType, version string) error {
	if !slices.Contains(amiTypes, amiType) {
		return errInvalidParameter("Invalid amiType %s", amiType)
	}
	if strings.HasPrefix(amiType, "AL2_") && version >= "1.33" {
		return errInvalidParameter("AMI type %s is not supported for Kubernetes version %s", amiType, version)
	}
	return nil
}

// Service principals the roles must trust.
const (
	principalEKS     = "eks.amazonaws.com"
	principalEC2     = "ec2.amazonaws.com"
	principalFargate = "eks-fargate-pods.amazonaws.com"
)

func validVersion(v string) error {
	if !slices.Contains(SupportedVersions, v) {
		return errInvalidParameter("unsupported Kubernetes version %s", v)
	}
	return nil
}

// checkRole verifies a role ARN: well-formed, of this account, existing and
// trusting principal (when the IAM mirror is wired). EKS assumes the role
// at once, so a role that cannot be assumed fails the create.
func (s *Service) checkRole(param, arn, principal string) error {
	if arn == "" {
		return errInvalidParameter("%s is required", param)
	}
	m := roleARNRE.FindStringSubmatch(arn)
	if m == nil {
		return errInvalidParameter("%s %s is not a valid IAM role ARN", param, arn)
	}
	if s.cfg.Roles == nil {
		return nil
	}
	trust, ok := s.cfg.Roles(m[1], m[2])
	if m[1] != s.cfg.AccountID || !ok || !strings.Contains(trust, `"`+principal+`"`) {
		return errInvalidParameter("Role with arn: %s, could not be assumed because it does not exist or the trusted entity is not correct", arn)
	}
	return nil
}

// subnets resolves subnet ids in the account's EC2 and checks they share
// one VPC.
func (s *Service) subnets(region string, ids []string) ([]ec2.SubnetInfo, error) {
	if len(ids) == 0 {
		return nil, errInvalidParameter("Subnets are required")
	}
	var out []ec2.SubnetInfo
	for _, id := range ids {
		sn, ok := s.cfg.Network.Subnet(region, id)
		if !ok {
			return nil, errInvalidParameter("The subnet ID '%s' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound)", id)
		}
		if len(out) > 0 && sn.VpcID != out[0].VpcID {
			return nil, errInvalidParameter("Subnets specified must be in the same VPC")
		}
		out = append(out, sn)
	}
	return out, nil
}

func zonesOf(subnets []ec2.SubnetInfo) []string {
	var zones []string
	for _, sn := range subnets {
		if !slices.Contains(zones, sn.AZ) {
			zones = append(zones, sn.AZ)
		}
	}
	return zones
}

// checkTags applies EKS's tag rules.
func checkTags(tags map[string]string, invalid func(string, ...any) error) error {
	if len(tags) > 50 {
		return invalid("The number of tags (%d) exceeds the limit of 50", len(tags))
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return invalid("Tag key %q or its value has an invalid length", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalid("Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}

func checkCIDRs(cidrs []string) error {
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil || !p.Addr().Is4() || p.Masked() != p {
			return errInvalidParameter("The following CIDRs are invalid in publicAccessCidrs: %s", c)
		}
	}
	return nil
}

func copyTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out
}
