package eks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/latency"
)

// Statuses shared by clusters, node groups and Fargate profiles.
const (
	statusCreating     = "CREATING"
	statusActive       = "ACTIVE"
	statusUpdating     = "UPDATING"
	statusDeleting     = "DELETING"
	statusCreateFailed = "CREATE_FAILED"
	statusDegraded     = "DEGRADED"
)

type cluster struct {
	name, region, arn string
	created           time.Time
	status            string
	due               time.Time // when the current transition completes
	version           string
	roleArn           string
	token             string
	vpcID             string
	subnetIDs         []string
	zones             []string
	securityGroupIDs  []string
	clusterSG         string
	controlPlaneENIs  []string
	endpointPublic    bool
	endpointPrivate   bool
	publicCidrs       []string
	network           kubernetesNetworkConfig
	enabledLogs       []string
	encryption        []encryptionConfig
	access            accessConfig
	upgrade           upgradePolicy
	endpointID        string // the hex id in the endpoint and OIDC issuer
	tags              map[string]string
	nodegroups        map[string]*nodegroup
	fargate           map[string]*fargateProfile
}

// ec2Resources are what EKS made in the account's EC2 for the control plane.
func (cl *cluster) ec2Resources() []string {
	return append(slices.Clone(cl.controlPlaneENIs), cl.clusterSG)
}

type createClusterInput struct {
	Name                    string                   `json:"name"`
	Version                 string                   `json:"version"`
	RoleArn                 string                   `json:"roleArn"`
	ResourcesVpcConfig      *vpcConfigRequest        `json:"resourcesVpcConfig"`
	KubernetesNetworkConfig *kubernetesNetworkConfig `json:"kubernetesNetworkConfig"`
	Logging                 *logging                 `json:"logging"`
	ClientRequestToken      string                   `json:"clientRequestToken"`
	Tags                    map[string]string        `json:"tags"`
	EncryptionConfig        []encryptionConfig       `json:"encryptionConfig"`
	AccessConfig            *accessConfig            `json:"accessConfig"`
	UpgradePolicy           *upgradePolicy           `json:"upgradePolicy"`
}

func clusterKey(region, name string) string { return region + "/" + name }

// clusterOf finds a cluster of the caller's region.
func (s *Service) clusterOf(r *request, name string) (*cluster, error) {
	cl, ok := s.clusters[clusterKey(r.region(), name)]
	if !ok {
		return nil, errNotFound("No cluster found for name: %s.", name)
	}
	return cl, nil
}

func (s *Service) createCluster(w http.ResponseWriter, r *request) error {
	var in createClusterInput
	if err := r.decode(&in); err != nil {
		return err
	}
	if name, ok := s.idempotent(r, "", in.ClientRequestToken); ok && name == in.Name {
		if cl, ok := s.clusters[clusterKey(r.region(), name)]; ok {
			return writeJSON(w, r, map[string]any{"cluster": s.clusterJSON(cl)})
		}
	}
	cl, err := s.newCluster(r, in)
	if err != nil {
		return err
	}
	if err := s.createControlPlaneNetwork(cl); err != nil {
		s.cfg.Network.DeleteServiceResources(cl.region, cl.ec2Resources())
		return err
	}
	s.clusters[clusterKey(cl.region, cl.name)] = cl
	s.rememberToken(r, "", in.ClientRequestToken, cl.name)
	s.schedule(cl.due)
	return writeJSON(w, r, map[string]any{"cluster": s.clusterJSON(cl)})
}

// newCluster validates a CreateCluster request as EKS does and returns the
// cluster in CREATING.
func (s *Service) newCluster(r *request, in createClusterInput) (*cluster, error) {
	if !clusterNameRE.MatchString(in.Name) {
		return nil, errInvalidParameter("The cluster name %q is invalid: up to 100 letters, digits, hyphens and underscores, starting with a letter or digit", in.Name)
	}
	if _, exists := s.clusters[clusterKey(r.region(), in.Name)]; exists {
		return nil, errInUse("Cluster already exists with name: %s", in.Name)
	}
	version := in.Version
	if version == "" {
		version = DefaultVersion
	}
	if err := validVersion(version); err != nil {
		return nil, err
	}
	if err := s.checkRole("roleArn", in.RoleArn, principalEKS); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags, errInvalidParameter); err != nil {
		return nil, err
	}
	vc := in.ResourcesVpcConfig
	if vc == nil {
		return nil, errInvalidParameter("resourcesVpcConfig is required")
	}
	subnets, err := s.subnets(r.region(), vc.SubnetIDs)
	if err != nil {
		return nil, err
	}
	zones := zonesOf(subnets)
	if len(zones) < 2 {
		return nil, errInvalidParameter("Subnets specified must be in at least two different AZs")
	}
	cl := &cluster{name: in.Name, region: r.region(), created: r.now, status: statusCreating,
		due: r.now.Add(s.cfg.Latency.Wall(latency.EKSClusterActive)), version: version, roleArn: in.RoleArn,
		token: in.ClientRequestToken, vpcID: subnets[0].VpcID, subnetIDs: slices.Clone(vc.SubnetIDs), zones: zones,
		securityGroupIDs: slices.Clone(vc.SecurityGroupIDs), endpointPublic: true, tags: copyTags(in.Tags),
		endpointID: strings.ToUpper(randomHex(16)), nodegroups: map[string]*nodegroup{}, fargate: map[string]*fargateProfile{},
		access: accessConfig{AuthenticationMode: "API_AND_CONFIG_MAP"}, upgrade: upgradePolicy{SupportType: "EXTENDED"},
		network: kubernetesNetworkConfig{ServiceIpv4Cidr: "172.20.0.0/16", IPFamily: "ipv4"}}
	cl.arn = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", cl.region, s.cfg.AccountID, cl.name)
	if err := cl.applyEndpointAccess(vc); err != nil {
		return nil, err
	}
	if err := cl.applyOptions(in); err != nil {
		return nil, err
	}
	return cl, nil
}

func (cl *cluster) applyEndpointAccess(vc *vpcConfigRequest) error {
	if vc.EndpointPublicAccess != nil {
		cl.endpointPublic = *vc.EndpointPublicAccess
	}
	if vc.EndpointPrivateAccess != nil {
		cl.endpointPrivate = *vc.EndpointPrivateAccess
	}
	if !cl.endpointPublic && !cl.endpointPrivate {
		return errInvalidParameter("Either public or private endpoint access must be enabled")
	}
	if err := checkCIDRs(vc.PublicAccessCidrs); err != nil {
		return err
	}
	cl.publicCidrs = slices.Clone(vc.PublicAccessCidrs)
	if len(cl.publicCidrs) == 0 {
		cl.publicCidrs = []string{"0.0.0.0/0"}
	}
	return nil
}

// applyOptions reads logging, encryption, networking and access settings.
func (cl *cluster) applyOptions(in createClusterInput) error {
	if in.Logging != nil {
		for _, setup := range in.Logging.ClusterLogging {
			for _, t := range setup.Types {
				if !slices.Contains(logTypes, t) {
					return errInvalidParameter("Invalid log type %s; valid types are %v", t, logTypes)
				}
				enabled := setup.Enabled != nil && *setup.Enabled
				if enabled && !slices.Contains(cl.enabledLogs, t) {
					cl.enabledLogs = append(cl.enabledLogs, t)
				}
			}
		}
	}
	for _, e := range in.EncryptionConfig {
		if e.Provider == nil || !kmsKeyARNRE.MatchString(e.Provider.KeyArn) {
			return errInvalidParameter("encryptionConfig provider keyArn must be a KMS key ARN")
		}
		if !slices.Equal(e.Resources, []string{"secrets"}) {
			return errInvalidParameter("encryptionConfig resources must be [secrets]")
		}
	}
	if len(in.EncryptionConfig) > 1 {
		return errInvalidParameter("Only one encryptionConfig is allowed")
	}
	cl.encryption = in.EncryptionConfig
	if in.KubernetesNetworkConfig != nil && in.KubernetesNetworkConfig.ServiceIpv4Cidr != "" {
		cl.network.ServiceIpv4Cidr = in.KubernetesNetworkConfig.ServiceIpv4Cidr
	}
	if in.AccessConfig != nil && in.AccessConfig.AuthenticationMode != "" {
		if !slices.Contains([]string{"API", "API_AND_CONFIG_MAP", "CONFIG_MAP"}, in.AccessConfig.AuthenticationMode) {
			return errInvalidParameter("Invalid authenticationMode %s", in.AccessConfig.AuthenticationMode)
		}
		cl.access.AuthenticationMode = in.AccessConfig.AuthenticationMode
	}
	if in.UpgradePolicy != nil && in.UpgradePolicy.SupportType != "" {
		cl.upgrade.SupportType = in.UpgradePolicy.SupportType
	}
	return nil
}

// createControlPlaneNetwork makes what EKS makes in the customer's VPC:
// the cluster security group, and control-plane ENIs in two subnets of
// different zones.
func (s *Service) createControlPlaneNetwork(cl *cluster) error {
	sgName := fmt.Sprintf("eks-cluster-sg-%s-%s", cl.name, randomDigits(10))
	sg, err := s.cfg.Network.CreateServiceSecurityGroup(cl.region, cl.vpcID, sgName,
		"EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
		map[string]string{"aws:eks:cluster-name": cl.name, "kubernetes.io/cluster/" + cl.name: "owned", "Name": sgName})
	if err != nil {
		return fmt.Errorf("create cluster security group of %s: %w", cl.name, err)
	}
	cl.clusterSG = sg
	groups := append([]string{sg}, cl.securityGroupIDs...)
	var used []string
	for _, id := range cl.subnetIDs {
		sn, _ := s.cfg.Network.Subnet(cl.region, id)
		if len(used) == 2 || slices.Contains(used, sn.AZ) {
			continue
		}
		eni, err := s.cfg.Network.CreateServiceInterface(cl.region, id, "Amazon EKS "+cl.name, groups, nil)
		if err != nil {
			return fmt.Errorf("create control-plane interface of %s in %s: %w", cl.name, id, err)
		}
		cl.controlPlaneENIs = append(cl.controlPlaneENIs, eni)
		used = append(used, sn.AZ)
	}
	return nil
}

func (s *Service) describeCluster(w http.ResponseWriter, r *request) error {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return err
	}
	return writeJSON(w, r, map[string]any{"cluster": s.clusterJSON(cl)})
}

func (s *Service) listClusters(w http.ResponseWriter, r *request) error {
	var names []string
	for _, cl := range s.clusters {
		if cl.region == r.region() {
			names = append(names, cl.name)
		}
	}
	slices.Sort(names)
	page, next, err := paginate(r, names)
	if err != nil {
		return err
	}
	return writeJSON(w, r, listAnswer("clusters", page, next))
}

func listAnswer(key string, page []string, next string) map[string]any {
	out := map[string]any{key: append([]string{}, page...)}
	if next != "" {
		out["nextToken"] = next
	}
	return out
}

func (s *Service) deleteCluster(w http.ResponseWriter, r *request) error {
	cl, err := s.clusterOf(r, r.params[0])
	if err != nil {
		return err
	}
	switch {
	case cl.status == statusDeleting:
	case len(cl.nodegroups) > 0:
		return errInUse("Cluster has nodegroups attached")
	case len(cl.fargate) > 0:
		return errInUse("Cluster has Fargate profiles attached")
	case cl.status == statusCreating:
		return errInUse("Cluster %s is in CREATING status and cannot be deleted until it is ACTIVE", cl.name)
	default:
		cl.status, cl.due = statusDeleting, r.now.Add(s.cfg.Latency.Wall(latency.EKSClusterDeleted))
		s.schedule(cl.due)
	}
	return writeJSON(w, r, map[string]any{"cluster": s.clusterJSON(cl)})
}

func (s *Service) clusterJSON(cl *cluster) clusterJSON {
	enabled, disabled := true, false
	var off []string
	for _, t := range logTypes {
		if !slices.Contains(cl.enabledLogs, t) {
			off = append(off, t)
		}
	}
	var logs []logSetup
	if len(cl.enabledLogs) > 0 {
		logs = append(logs, logSetup{Types: cl.enabledLogs, Enabled: &enabled})
	}
	if len(off) > 0 {
		logs = append(logs, logSetup{Types: off, Enabled: &disabled})
	}
	out := clusterJSON{Name: cl.name, Arn: cl.arn, CreatedAt: epoch(cl.created), Version: cl.version, RoleArn: cl.roleArn,
		ResourcesVpcConfig: vpcConfigResponse{SubnetIDs: cl.subnetIDs, SecurityGroupIDs: append([]string{}, cl.securityGroupIDs...),
			ClusterSecurityGroupID: cl.clusterSG, VpcID: cl.vpcID, EndpointPublicAccess: cl.endpointPublic,
			EndpointPrivateAccess: cl.endpointPrivate, PublicAccessCidrs: cl.publicCidrs},
		KubernetesNetworkConfig: cl.network, Logging: logging{ClusterLogging: logs}, Status: cl.status,
		ClientRequestToken: cl.token, PlatformVersion: "eks.1", Tags: cl.tags, EncryptionConfig: cl.encryption,
		AccessConfig: cl.access, UpgradePolicy: cl.upgrade, Health: health{Issues: []issue{}}}
	if cl.status != statusCreating {
		// The endpoint, its CA and the OIDC issuer exist once the control
		// plane is up.
		out.Endpoint = fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", cl.endpointID, cl.region)
		out.CertificateAuthority = &certificateJSON{Data: base64.StdEncoding.EncodeToString([]byte(
			"-----BEGIN CERTIFICATE-----\nlocal EKS cluster " + cl.name + "\n-----END CERTIFICATE-----\n"))}
		out.Identity = &identityJSON{}
		out.Identity.OIDC.Issuer = fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", cl.region, cl.endpointID)
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomDigits(n int) string {
	var sb strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		sb.WriteString(d.String())
	}
	return sb.String()
}

// subnetsOf returns the cluster's subnets as EC2 describes them now.
func (s *Service) subnetsOf(cl *cluster) []ec2.SubnetInfo {
	var out []ec2.SubnetInfo
	for _, id := range cl.subnetIDs {
		if sn, ok := s.cfg.Network.Subnet(cl.region, id); ok {
			out = append(out, sn)
		}
	}
	return out
}
