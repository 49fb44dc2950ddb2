package domain

// EKS clusters (kind "eks"): AWS runs the control plane; ClusterForge builds
// the network (the same VPC plan as dynamic placement, or the customer's
// subnets with static placement), the IAM roles unless existing ones are
// named, the EKS cluster, one managed node group per worker pool of
// spec.nodePools, and the Fargate profiles. Self-managed-only settings
// (control-plane pool, bastion, apiServer, spot max price) are refused for
// this kind; the EKS-only ones below are refused for self-managed.

// EKSSpec is spec.eks: required for kind eks, refused otherwise.
type EKSSpec struct {
	// KubernetesVersion is the EKS control-plane version, "1.33" (EKSVersions).
	KubernetesVersion string         `json:"kubernetesVersion,omitempty"`
	EndpointAccess    EndpointAccess `json:"endpointAccess"`
	// SecretsEncryptionKeyARN is a KMS key ARN for envelope encryption of
	// Kubernetes secrets; "" leaves secrets encrypted by EKS's own key.
	SecretsEncryptionKeyARN string `json:"secretsEncryptionKeyArn,omitempty"`
	// Logging lists the control-plane log types sent to CloudWatch Logs
	// (EKSLogTypes).
	Logging []string `json:"logging,omitempty"`
	// Existing roles; "" means ClusterForge creates and later deletes one.
	ClusterRoleARN      string `json:"clusterRoleArn,omitempty"`
	NodeRoleARN         string `json:"nodeRoleArn,omitempty"`
	PodExecutionRoleARN string `json:"podExecutionRoleArn,omitempty"`
	// FargateProfiles run the selected pods on Fargate, in private subnets.
	FargateProfiles []FargateProfileSpec `json:"fargateProfiles,omitempty"`
}

// EndpointAccess is the EKS API server endpoint's reachability. Public and
// Private are pointers so that absent takes the default (both on) and an
// explicit false is kept.
type EndpointAccess struct {
	Public      *bool    `json:"public,omitempty"`
	Private     *bool    `json:"private,omitempty"`
	PublicCIDRs []string `json:"publicCidrs,omitempty"`
}

// IsPublic and IsPrivate read the flags with their defaults.
func (e EndpointAccess) IsPublic() bool  { return e.Public == nil || *e.Public }
func (e EndpointAccess) IsPrivate() bool { return e.Private == nil || *e.Private }

// FargateProfileSpec selects pods to run on Fargate.
type FargateProfileSpec struct {
	Name      string            `json:"name"`
	Selectors []FargateSelector `json:"selectors"`
}

// FargateSelector matches pods by namespace and, optionally, labels.
type FargateSelector struct {
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// EKSLogTypes are the control-plane log types EKS can export.
var EKSLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// EKSVersions are the Kubernetes versions EKS offers in standard support.
var EKSVersions = []string{"1.30", "1.31", "1.32", "1.33", "1.34"}

// EKS limits (AWS service quotas that cannot be raised, and API rules).
const (
	MaxFargateProfileSelectors = 5  // selectors per Fargate profile
	MaxFargateSelectorLabels   = 5  // labels per selector
	MaxNodeGroupInstanceTypes  = 20 // instanceTypes per managed node group
	MaxNodeGroupSize           = 450
	DefaultEKSVersion          = "1.33"
)

// EKSTaintEffect maps a Kubernetes taint effect to the EKS API's spelling;
// "" for an unknown effect.
func EKSTaintEffect(effect string) string {
	switch effect {
	case EffectNoSchedule:
		return "NO_SCHEDULE"
	case EffectPreferNoSchedule:
		return "PREFER_NO_SCHEDULE"
	case EffectNoExecute:
		return "NO_EXECUTE"
	}
	return ""
}

// KubernetesTaintEffect is EKSTaintEffect's inverse.
func KubernetesTaintEffect(eksEffect string) string {
	for _, e := range taintEffects {
		if EKSTaintEffect(e) == eksEffect {
			return e
		}
	}
	return ""
}

// EKS resource types and keys in plans and the ledger.
const (
	ResEKSCluster     ResourceType = "ekscluster"
	ResNodeGroup      ResourceType = "nodegroup"
	ResFargateProfile ResourceType = "fargateprofile"
	ResIAMRole        ResourceType = "iamrole"

	KeyEKSCluster          = "ekscluster"
	KeyClusterRole         = "iamrole/cluster"
	KeyNodeRole            = "iamrole/node"
	KeyPodExecutionRole    = "iamrole/fargate-pod"
	RoleEKSCluster         = "eks-cluster"
	RoleEKSNode            = "eks-node"
	RoleFargatePodExecutor = "fargate-pod-execution"
)

// NodeGroupKey and FargateProfileKey name a pool's node group and a
// profile in the ledger.
func NodeGroupKey(pool string) string      { return "nodegroup/" + pool }
func FargateProfileKey(name string) string { return "fargateprofile/" + name }
