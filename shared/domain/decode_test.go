package domain

import (
	"testing"
	"time"
)

type taint struct {
	Key    string `json:"key"`
	Effect string `json:"effect"`
}

type pool struct {
	Name   string            `json:"name"`
	Size   int32             `json:"size"`
	Spot   *uint8            `json:"spot,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	Taints []taint           `json:"taints,omitempty"`
}

type embedded struct {
	Created time.Time `json:"created"`
}

type spec struct {
	embedded
	Name      string         `json:"name"`
	Enabled   bool           `json:"enabled"`
	Ratio     float64        `json:"ratio"`
	NodePools []pool         `json:"nodePools"`
	Extra     map[string]any `json:"extra,omitempty"`
	Ignored   string         `json:"-"`
	internal  string
}

func TestDecodeStrictAccepts(t *testing.T) {
	var s spec
	err := DecodeStrict([]byte(`{"name":"a","enabled":true,"ratio":0.5,"created":"2025-01-02T03:04:05Z",
		"nodePools":[{"name":"p","size":3,"spot":60,"labels":{"a":"b"},"taints":[{"key":"k","effect":"NoSchedule"}]}],
		"extra":{"any":[1,{"x":null}]}}`), &s)
	if err != nil {
		t.Fatal(err)
	}
	if s.NodePools[0].Taints[0].Effect != "NoSchedule" || *s.NodePools[0].Spot != 60 || s.Created.Year() != 2025 {
		t.Fatalf("decoded %+v", s)
	}
	if err := DecodeStrict([]byte(` {"name":null} `), &s); err != nil {
		t.Fatalf("null member: %v", err)
	}
}

func TestDecodeStrictRejects(t *testing.T) {
	cases := []struct {
		name, body, field, msg string
	}{
		{"empty", ``, "", "request body is required"},
		{"not json", `name=a`, "", "invalid JSON"},
		{"truncated", `{"name":"a"`, "", "unexpected end of input"},
		{"trailing comma", `{"name":"a",}`, "", "invalid JSON"},
		{"trailing data", `{"name":"a"} {}`, "", "after the top-level value"},
		{"top-level array", `[]`, "", "must be an object, not an array"},
		{"unknown field", `{"name":"a","nmae":"b"}`, "nmae", "unknown field"},
		{"case mismatch", `{"Name":"a"}`, "Name", "unknown field"},
		{"ignored field", `{"Ignored":"a"}`, "Ignored", "unknown field"},
		{"unexported field", `{"internal":"a"}`, "internal", "unknown field"},
		{"duplicate", `{"name":"a","name":"b"}`, "name", "duplicate field"},
		{"string wanted", `{"name":5}`, "name", "must be a string, not a number"},
		{"bool wanted", `{"enabled":"yes"}`, "enabled", "must be a boolean, not a string"},
		{"number wanted", `{"ratio":"1"}`, "ratio", "must be a number"},
		{"time wanted", `{"created":1}`, "created", "RFC 3339"},
		{"bad time", `{"created":"yesterday"}`, "", "invalid JSON"},
		{"array wanted", `{"nodePools":{}}`, "nodePools", "must be an array, not an object"},
		{"object wanted", `{"nodePools":[1]}`, "nodePools[0]", "must be an object, not a number"},
		{"integer wanted", `{"nodePools":[{"size":1.5}]}`, "nodePools[0].size", "must be an integer"},
		{"int32 range", `{"nodePools":[{"size":3000000000}]}`, "nodePools[0].size", "out of range"},
		{"uint8 range", `{"nodePools":[{},{"spot":300}]}`, "nodePools[1].spot", "out of range"},
		{"negative uint", `{"nodePools":[{"spot":-1}]}`, "nodePools[0].spot", "non-negative integer"},
		{"deep path", `{"nodePools":[{},{"taints":[{"key":"k"},{"effect":7}]}]}`, "nodePools[1].taints[1].effect", "must be a string"},
		{"deep unknown", `{"nodePools":[{"taints":[{"efect":"x"}]}]}`, "nodePools[0].taints[0].efect", "unknown field"},
		{"map value", `{"nodePools":[{"labels":{"a":1}}]}`, "nodePools[0].labels.a", "must be a string"},
		{"quoted map key", `{"nodePools":[{"labels":{"k8s.io/x":true}}]}`, `nodePools[0].labels["k8s.io/x"]`, "must be a string"},
		{"syntax in array", `{"nodePools":[{"name":"a"} {"name":"b"}]}`, "nodePools[1]", "invalid JSON"},
		{"weird unknown key", `{"a b":1}`, `["a b"]`, "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s spec
			wantInvalid(t, DecodeStrict([]byte(tc.body), &s), tc.field, tc.msg)
		})
	}
}

func TestDecodeStrictNeedsPointer(t *testing.T) {
	var s spec
	if err := DecodeStrict([]byte(`{}`), s); err == nil {
		t.Fatal("non-pointer accepted")
	}
}

func TestPath(t *testing.T) {
	p := Path("").Field("nodePools").Index(1).Field("taints").Index(0).Field("effect")
	if p != "nodePools[1].taints[0].effect" {
		t.Fatal(p)
	}
	if got := Path("tags").Key("kubernetes.io/role"); got != `tags["kubernetes.io/role"]` {
		t.Fatal(got)
	}
}
