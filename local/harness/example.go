package harness

// ExampleRegion and ExampleAZs are where DESIGN §3's example cluster goes.
const ExampleRegion = "eu-west-1"

// ExampleAZs are the example cluster's availability zones.
var ExampleAZs = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

// ExampleCluster is DESIGN §3's example request: 3 AZs, 3 control-plane
// nodes, 3 general workers with a label and a taint, and one spot GPU node
// at 60 % of the on-demand price. The demo, the end-to-end tests and the
// benchmarks all create this cluster.
func ExampleCluster(name, accountID, profileID string) map[string]any {
	return map[string]any{
		"name": name, "description": "payments", "tags": map[string]string{"team": "pay"},
		"profileId": profileID, "packOverrides": map[string]string{"kubernetes": "podCIDR: 192.168.0.0/16\n"},
		"cloudAccountId": accountID, "region": ExampleRegion, "sshKeyName": "ops",
		"placement": map[string]any{"type": "dynamic", "vpcCidr": "10.0.0.0/16", "azs": ExampleAZs, "natGateways": "perAz"},
		"apiServer": map[string]any{"scheme": "internet-facing", "allowedCidrs": []string{"0.0.0.0/0"}},
		"bastion":   map[string]any{"enabled": true, "instanceType": "t3.micro", "allowedCidrs": []string{"203.0.113.0/24"}},
		"nodePools": []map[string]any{
			{"name": "control-plane", "controlPlane": true, "size": 3, "instanceType": "m5.large", "allowWorkerCapability": false},
			{"name": "general", "size": 3, "instanceType": "m5.large", "azs": ExampleAZs,
				"labels":        map[string]string{"tier": "web"},
				"taints":        []map[string]string{{"key": "dedicated", "value": "web", "effect": "NoSchedule"}},
				"rollingUpdate": "expandFirst", "capacity": map[string]any{"type": "onDemand"}},
			{"name": "gpu", "size": 1, "instanceType": "g4dn.xlarge", "capacity": map[string]any{"type": "spot", "spotMaxPricePercent": 60}},
		},
	}
}

// ExampleProfile is a small but realistic stack: Ubuntu, Kubernetes with its
// network ranges as pack values, Cilium and the EBS CSI driver.
func ExampleProfile(name string) map[string]any {
	return map[string]any{
		"name":        name,
		"description": "Ubuntu 24.04, Kubernetes 1.31, Cilium, AWS EBS CSI",
		"layers": []map[string]string{
			{"type": "os", "name": "ubuntu", "version": "24.04"},
			{"type": "kubernetes", "name": "kubernetes", "version": "1.31.4",
				"values": "podCIDR: 192.168.0.0/16\nserviceCIDR: 10.96.0.0/12\n"},
			{"type": "cni", "name": "cilium", "version": "1.16.1", "values": "ipam:\n  mode: kubernetes\n"},
			{"type": "csi", "name": "aws-ebs-csi", "version": "1.35.0", "values": "storageClasses:\n  - name: gp3\n    default: true\n"},
		},
	}
}
