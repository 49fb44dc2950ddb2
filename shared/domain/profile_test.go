package domain

import (
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func goodProfile() ClusterProfileRequest {
	return ClusterProfileRequest{Name: "base", Layers: []Layer{
		{Type: LayerOS, Name: "ubuntu", Version: "22.04"},
		{Type: LayerKubernetes, Name: "kubernetes", Version: "1.30.4", Values: "podCIDR: 192.168.0.0/16\n"},
		{Type: LayerCNI, Name: "cilium", Version: "v1.16.0", Values: "ipam:\n  mode: kubernetes\n"},
		{Type: LayerCSI, Name: "aws-ebs-csi", Version: "1.35.0"},
		{Type: LayerAddon, Name: "metrics-server", Version: "3.12.1", Values: "~"},
	}}
}

func TestClusterProfileRequestValidate(t *testing.T) {
	ok := goodProfile()
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Cloud != CloudAWS {
		t.Fatalf("good profile: %v (cloud %q)", err, ok.Cloud)
	}
	cases := []struct {
		name  string
		mut   func(*ClusterProfileRequest)
		field string
		msg   string
	}{
		{"bad name", func(r *ClusterProfileRequest) { r.Name = "Base_1" }, "name", "DNS label"},
		{"long description", func(r *ClusterProfileRequest) { r.Description = strings.Repeat("d", 1025) }, "description", "at most 1024"},
		{"other cloud", func(r *ClusterProfileRequest) { r.Cloud = "gcp" }, "cloud", `unknown cloud "gcp"`},
		{"no layers", func(r *ClusterProfileRequest) { r.Layers = nil }, "layers", "is required"},
		{"too many layers", func(r *ClusterProfileRequest) {
			for range MaxLayers {
				r.Layers = append(r.Layers, Layer{Type: LayerAddon, Name: "x", Version: "1"})
			}
		}, "layers", "at most 20"},
		{"missing type", func(r *ClusterProfileRequest) { r.Layers[3].Type = "" }, "layers[3].type", "is required"},
		{"unknown type", func(r *ClusterProfileRequest) { r.Layers[3].Type = "storage" }, "layers[3].type", `unknown layer type "storage"`},
		{"two os", func(r *ClusterProfileRequest) { r.Layers[3] = Layer{Type: LayerOS, Name: "rhel", Version: "9"} }, "layers", "exactly one os layer (found 2)"},
		{"no cni", func(r *ClusterProfileRequest) { r.Layers = append(r.Layers[:2], r.Layers[3:]...) }, "layers", "exactly one cni layer (found 0)"},
		{"no kubernetes", func(r *ClusterProfileRequest) { r.Layers[1].Type = LayerAddon }, "layers", "exactly one kubernetes layer (found 0)"},
		{"missing layer name", func(r *ClusterProfileRequest) { r.Layers[1].Name = "" }, "layers[1].name", "is required"},
		{"duplicate layer name", func(r *ClusterProfileRequest) { r.Layers[4].Name = "cilium" }, "layers[4].name", "duplicate"},
		{"missing version", func(r *ClusterProfileRequest) { r.Layers[0].Version = "" }, "layers[0].version", "is required"},
		{"bad version", func(r *ClusterProfileRequest) { r.Layers[0].Version = "1.0 beta" }, "layers[0].version", "must be a version"},
		{"long version", func(r *ClusterProfileRequest) { r.Layers[0].Version = strings.Repeat("1", 65) }, "layers[0].version", "at most 64"},
		{"bad yaml", func(r *ClusterProfileRequest) { r.Layers[2].Values = "a: [1, 2\n" }, "layers[2].values", "valid YAML"},
		{"tabs yaml", func(r *ClusterProfileRequest) { r.Layers[2].Values = "a:\n\tb: 1\n" }, "layers[2].values", "valid YAML"},
		{"scalar yaml", func(r *ClusterProfileRequest) { r.Layers[2].Values = "just a string" }, "layers[2].values", "mapping"},
		{"two documents", func(r *ClusterProfileRequest) { r.Layers[2].Values = "a: 1\n---\nb: 2\n" }, "layers[2].values", "single YAML document"},
		{"huge values", func(r *ClusterProfileRequest) { r.Layers[2].Values = "a: " + strings.Repeat("x", MaxLayerValuesBytes) }, "layers[2].values", "at most 65536 bytes"},
		{"huge profile", func(r *ClusterProfileRequest) {
			for i := range r.Layers {
				r.Layers[i].Values = "a: " + strings.Repeat("x", MaxLayerValuesBytes-10)
			}
		}, "layers", "all layers together"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := goodProfile()
			tc.mut(&r)
			r.Normalize()
			wantInvalid(t, r.Validate(), tc.field, tc.msg)
		})
	}
}
