package harness

// ExampleEKSCluster is the EKS counterpart of ExampleCluster, and what
// `make demo KIND=eks` and the EKS end-to-end test create: the same VPC plan
// (3 AZs, NAT gateway per AZ), an endpoint reachable privately and from one
// public range, two control-plane log types, two managed node groups — the
// general one on demand with a label, a spot one over two instance types
// with a taint — and one Fargate profile for the batch namespace.
func ExampleEKSCluster(name, accountID, profileID string) map[string]any {
	return map[string]any{
		"kind": "eks", "name": name, "description": "payments on EKS", "tags": map[string]string{"team": "pay"},
		"profileId": profileID, "cloudAccountId": accountID, "region": ExampleRegion,
		"placement": map[string]any{"type": "dynamic", "vpcCidr": "10.1.0.0/16", "azs": ExampleAZs, "natGateways": "perAz"},
		"eks": map[string]any{
			"kubernetesVersion": "1.33",
			"endpointAccess":    map[string]any{"public": true, "private": true, "publicCidrs": []string{"203.0.113.0/24"}},
			"logging":           []string{"api", "audit"},
			"fargateProfiles": []map[string]any{
				{"name": "batch", "selectors": []map[string]any{{"namespace": "batch", "labels": map[string]string{"compute": "fargate"}}}},
			},
		},
		"nodePools": []map[string]any{
			{"name": "general", "size": 3, "minSize": 3, "maxSize": 6, "instanceType": "m5.large", "azs": ExampleAZs,
				"labels": map[string]string{"tier": "web"}, "capacity": map[string]any{"type": "onDemand"}},
			{"name": "spot", "size": 2, "minSize": 1, "maxSize": 4, "instanceTypes": []string{"m5.large", "m6i.large"},
				"taints":   []map[string]string{{"key": "lifecycle", "value": "spot", "effect": "NoSchedule"}},
				"capacity": map[string]any{"type": "spot"}, "maxUnavailable": 1},
		},
	}
}
