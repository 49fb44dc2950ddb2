package eks

// JSON shapes of the EKS API, member names exactly as aws-sdk-go-v2's
// service/eks serializes them.

type vpcConfigRequest struct {
	SubnetIDs             []string `json:"subnetIds"`
	SecurityGroupIDs      []string `json:"securityGroupIds"`
	EndpointPublicAccess  *bool    `json:"endpointPublicAccess"`
	EndpointPrivateAccess *bool    `json:"endpointPrivateAccess"`
	PublicAccessCidrs     []string `json:"publicAccessCidrs"`
}

type vpcConfigResponse struct {
	SubnetIDs              []string `json:"subnetIds"`
	SecurityGroupIDs       []string `json:"securityGroupIds"`
	ClusterSecurityGroupID string   `json:"clusterSecurityGroupId,omitempty"`
	VpcID                  string   `json:"vpcId"`
	EndpointPublicAccess   bool     `json:"endpointPublicAccess"`
	EndpointPrivateAccess  bool     `json:"endpointPrivateAccess"`
	PublicAccessCidrs      []string `json:"publicAccessCidrs"`
}

type kubernetesNetworkConfig struct {
	ServiceIpv4Cidr string `json:"serviceIpv4Cidr,omitempty"`
	IPFamily        string `json:"ipFamily,omitempty"`
}

type logSetup struct {
	Types   []string `json:"types"`
	Enabled *bool    `json:"enabled"`
}

type logging struct {
	ClusterLogging []logSetup `json:"clusterLogging"`
}

type encryptionConfig struct {
	Resources []string `json:"resources"`
	Provider  *struct {
		KeyArn string `json:"keyArn"`
	} `json:"provider"`
}

type accessConfig struct {
	AuthenticationMode                      string `json:"authenticationMode,omitempty"`
	BootstrapClusterCreatorAdminPermissions *bool  `json:"bootstrapClusterCreatorAdminPermissions,omitempty"`
}

type upgradePolicy struct {
	SupportType string `json:"supportType,omitempty"`
}

type issue struct {
	Code        string   `json:"code"`
	Message     string   `json:"message"`
	ResourceIDs []string `json:"resourceIds,omitempty"`
}

type health struct {
	Issues []issue `json:"issues"`
}

type clusterJSON struct {
	Name                    string                  `json:"name"`
	Arn                     string                  `json:"arn"`
	CreatedAt               float64                 `json:"createdAt"`
	Version                 string                  `json:"version"`
	Endpoint                string                  `json:"endpoint,omitempty"`
	RoleArn                 string                  `json:"roleArn"`
	ResourcesVpcConfig      vpcConfigResponse       `json:"resourcesVpcConfig"`
	KubernetesNetworkConfig kubernetesNetworkConfig `json:"kubernetesNetworkConfig"`
	Logging                 logging                 `json:"logging"`
	Identity                *identityJSON           `json:"identity,omitempty"`
	Status                  string                  `json:"status"`
	CertificateAuthority    *certificateJSON        `json:"certificateAuthority,omitempty"`
	ClientRequestToken      string                  `json:"clientRequestToken,omitempty"`
	PlatformVersion         string                  `json:"platformVersion"`
	Tags                    map[string]string       `json:"tags"`
	EncryptionConfig        []encryptionConfig      `json:"encryptionConfig,omitempty"`
	AccessConfig            accessConfig            `json:"accessConfig"`
	UpgradePolicy           upgradePolicy           `json:"upgradePolicy"`
	Health                  health                  `json:"health"`
}

type identityJSON struct {
	OIDC struct {
		Issuer string `json:"issuer"`
	} `json:"oidc"`
}

type certificateJSON struct {
	Data string `json:"data"`
}

type scalingConfig struct {
	MinSize     *int `json:"minSize,omitempty"`
	MaxSize     *int `json:"maxSize,omitempty"`
	DesiredSize *int `json:"desiredSize,omitempty"`
}

type taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

type updateConfig struct {
	MaxUnavailable           *int `json:"maxUnavailable,omitempty"`
	MaxUnavailablePercentage *int `json:"maxUnavailablePercentage,omitempty"`
}

type remoteAccess struct {
	Ec2SshKey            string   `json:"ec2SshKey,omitempty"`
	SourceSecurityGroups []string `json:"sourceSecurityGroups,omitempty"`
}

type launchTemplateSpec struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	ID      string `json:"id,omitempty"`
}

type nodegroupResources struct {
	AutoScalingGroups []struct {
		Name string `json:"name"`
	} `json:"autoScalingGroups"`
}

type nodegroupJSON struct {
	NodegroupName  string              `json:"nodegroupName"`
	NodegroupArn   string              `json:"nodegroupArn"`
	ClusterName    string              `json:"clusterName"`
	Version        string              `json:"version"`
	ReleaseVersion string              `json:"releaseVersion"`
	CreatedAt      float64             `json:"createdAt"`
	ModifiedAt     float64             `json:"modifiedAt"`
	Status         string              `json:"status"`
	CapacityType   string              `json:"capacityType"`
	ScalingConfig  scalingConfig       `json:"scalingConfig"`
	InstanceTypes  []string            `json:"instanceTypes"`
	Subnets        []string            `json:"subnets"`
	RemoteAccess   *remoteAccess       `json:"remoteAccess,omitempty"`
	AmiType        string              `json:"amiType"`
	NodeRole       string              `json:"nodeRole"`
	Labels         map[string]string   `json:"labels"`
	Taints         []taint             `json:"taints,omitempty"`
	Resources      *nodegroupResources `json:"resources,omitempty"`
	DiskSize       int                 `json:"diskSize,omitempty"`
	Health         health              `json:"health"`
	UpdateConfig   updateConfig        `json:"updateConfig"`
	LaunchTemplate *launchTemplateSpec `json:"launchTemplate,omitempty"`
	Tags           map[string]string   `json:"tags"`
}

type selector struct {
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

type fargateProfileJSON struct {
	FargateProfileName  string            `json:"fargateProfileName"`
	FargateProfileArn   string            `json:"fargateProfileArn"`
	ClusterName         string            `json:"clusterName"`
	CreatedAt           float64           `json:"createdAt"`
	PodExecutionRoleArn string            `json:"podExecutionRoleArn"`
	Subnets             []string          `json:"subnets"`
	Selectors           []selector        `json:"selectors"`
	Status              string            `json:"status"`
	Tags                map[string]string `json:"tags"`
	Health              health            `json:"health"`
}

type updateParam struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type updateJSON struct {
	ID        string        `json:"id"`
	Status    string        `json:"status"`
	Type      string        `json:"type"`
	Params    []updateParam `json:"params"`
	CreatedAt float64       `json:"createdAt"`
	Errors    []updateError `json:"errors"`
}

type updateError struct {
	ErrorCode    string   `json:"errorCode"`
	ErrorMessage string   `json:"errorMessage"`
	ResourceIDs  []string `json:"resourceIds,omitempty"`
}
