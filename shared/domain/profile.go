package domain

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// LayerType is the role of one pack in a cluster profile.
type LayerType string

// Layer types, bottom of the stack first.
const (
	LayerOS         LayerType = "os"
	LayerKubernetes LayerType = "kubernetes"
	LayerCNI        LayerType = "cni"
	LayerCSI        LayerType = "csi"
	LayerAddon      LayerType = "addon"
)

// CloudAWS is the only cloud profiles target today.
const CloudAWS = "aws"

// Limits that keep a profile well inside one DynamoDB item (400 KB).
const (
	MaxLayers           = 20
	MaxLayerValuesBytes = 64 << 10
	MaxProfileValues    = 256 << 10
	MaxVersionLength    = 64
)

// layerRules says how many layers of each type a profile must have; addon
// and csi are optional and repeatable.
var layerRules = []struct {
	typ      LayerType
	required bool
}{{LayerOS, true}, {LayerKubernetes, true}, {LayerCNI, true}, {LayerCSI, false}, {LayerAddon, false}}

var versionPattern = regexp.MustCompile(`^v?[0-9A-Za-z][0-9A-Za-z.+_-]*$`)

// Layer is one pack of a profile: what it is, which version, and the YAML
// values the pack is configured with (clusters merge packOverrides on top,
// keyed by layer name).
type Layer struct {
	Type    LayerType `json:"type" dynamodbav:"type"`
	Name    string    `json:"name" dynamodbav:"name"`
	Version string    `json:"version" dynamodbav:"version"`
	Values  string    `json:"values,omitempty" dynamodbav:"values,omitempty"`
}

// ClusterProfileRequest is the body of POST /v1/clusterprofiles.
type ClusterProfileRequest struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Cloud       string  `json:"cloud,omitempty"`
	Layers      []Layer `json:"layers"`
}

// Normalize fills defaults before validation.
func (r *ClusterProfileRequest) Normalize() {
	if r.Cloud == "" {
		r.Cloud = CloudAWS
	}
}

// Validate checks every field and reports all problems at once.
func (r *ClusterProfileRequest) Validate() error {
	var p ValidationErrors
	checkName(&p, "name", r.Name)
	checkMaxLen(&p, "description", r.Description, MaxDescriptionLength)
	if r.Cloud != CloudAWS && checkMaxLen(&p, "cloud", r.Cloud, 32) {
		p.Add("cloud", "unknown cloud %q; must be aws", r.Cloud)
	}
	switch {
	case len(r.Layers) == 0:
		p.Add("layers", "is required: a profile needs os, kubernetes and cni layers")
	case len(r.Layers) > MaxLayers:
		p.Add("layers", "must have at most %d layers", MaxLayers)
	default:
		checkLayers(&p, r.Layers)
	}
	return p.Err()
}

func checkLayers(p *ValidationErrors, layers []Layer) {
	counts := map[LayerType]int{}
	names := map[string]bool{}
	total := 0
	for i, l := range layers {
		at := Path("layers").Index(i)
		if isKnownLayer(l.Type) {
			counts[l.Type]++
		} else if l.Type == "" {
			p.Add(string(at.Field("type")), "is required; one of os, kubernetes, cni, csi, addon")
		} else if checkMaxLen(p, at.Field("type"), string(l.Type), 32) {
			p.Add(string(at.Field("type")), "unknown layer type %q; one of os, kubernetes, cni, csi, addon", l.Type)
		}
		checkName(p, at.Field("name"), l.Name)
		if names[l.Name] && l.Name != "" {
			p.Add(string(at.Field("name")), "duplicate layer name: packOverrides address layers by name")
		}
		names[l.Name] = true
		switch {
		case l.Version == "":
			p.Add(string(at.Field("version")), "is required")
		case len(l.Version) > MaxVersionLength:
			p.Add(string(at.Field("version")), "must be at most %d characters", MaxVersionLength)
		case !versionPattern.MatchString(l.Version):
			p.Add(string(at.Field("version")), "must be a version such as 1.30.4 or v1.16.0")
		}
		total += len(l.Values)
		if len(l.Values) > MaxLayerValuesBytes {
			p.Add(string(at.Field("values")), "must be at most %d bytes", MaxLayerValuesBytes)
		} else if err := CheckValuesYAML(l.Values); err != nil {
			p.Add(string(at.Field("values")), "%s", err.Error())
		}
	}
	if total > MaxProfileValues {
		p.Add("layers", "values of all layers together must be at most %d bytes", MaxProfileValues)
	}
	for _, rule := range layerRules {
		if rule.required && counts[rule.typ] != 1 {
			p.Add("layers", "must contain exactly one %s layer (found %d)", rule.typ, counts[rule.typ])
		}
	}
}

func isKnownLayer(t LayerType) bool {
	for _, rule := range layerRules {
		if rule.typ == t {
			return true
		}
	}
	return false
}

// CheckValuesYAML checks that pack values are a YAML mapping (or empty). The
// error names the line, so the message is useful without echoing the values.
func CheckValuesYAML(values string) error {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(values)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty document
		}
		return errors.New("must be valid YAML: " + err.Error())
	}
	if len(doc.Content) > 0 && doc.Content[0].Kind != yaml.MappingNode {
		if doc.Content[0].Tag == "!!null" {
			return nil
		}
		return errors.New("must be a YAML mapping of pack values")
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("must be a single YAML document")
	}
	return nil
}

// ClusterProfile is a stored profile: the packs a cluster is built from.
type ClusterProfile struct {
	ID          string    `json:"id" dynamodbav:"id"`
	Name        string    `json:"name" dynamodbav:"name"`
	Description string    `json:"description,omitempty" dynamodbav:"description,omitempty"`
	Cloud       string    `json:"cloud" dynamodbav:"cloud"`
	Layers      []Layer   `json:"layers" dynamodbav:"layers"`
	Version     int       `json:"version" dynamodbav:"version"`
	CreatedAt   time.Time `json:"createdAt" dynamodbav:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
	CreatedBy   string    `json:"createdBy,omitempty" dynamodbav:"createdBy,omitempty"`
}

// NewClusterProfile builds the stored profile for a validated request.
func NewClusterProfile(r *ClusterProfileRequest, id string, now time.Time, createdBy string) ClusterProfile {
	return ClusterProfile{
		ID: id, Name: r.Name, Description: r.Description, Cloud: r.Cloud, Layers: r.Layers,
		CreatedAt: now.UTC(), UpdatedAt: now.UTC(), CreatedBy: createdBy,
	}
}
