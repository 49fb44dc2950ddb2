package spec

import (
	"fmt"
	"strings"
)

// PoolFlags are the node pool shortcuts of add and edit. Pointers and nil
// slices mean "not given": an edit sends only what the user changed
// (NodePoolPatch: absent fields stay as they are).
type PoolFlags struct {
	Name                string
	Size                *int
	InstanceType        string
	AZs                 []string
	Labels              []string // k=v
	Taints              []string // key[=value]:Effect
	RollingUpdate       string
	RootVolumeGiB       *int
	SpotMaxPricePercent *int // 0 means on-demand
}

// Pool builds the POST …/nodepools body; name and size are required.
func Pool(f PoolFlags) (map[string]any, error) {
	if f.Name == "" || f.Size == nil {
		return nil, fmt.Errorf("--name and --size are required (or give the pool with -f)")
	}
	body, err := Patch(f)
	if err != nil {
		return nil, err
	}
	body["name"] = f.Name
	if len(f.AZs) > 0 {
		body["azs"] = f.AZs
	}
	return body, nil
}

// Patch builds the PATCH …/nodepools/{name} body from the flags given.
func Patch(f PoolFlags) (map[string]any, error) {
	body := map[string]any{}
	if f.Size != nil {
		body["size"] = *f.Size
	}
	setIf(body, "instanceType", f.InstanceType)
	setIf(body, "rollingUpdate", f.RollingUpdate)
	if f.RootVolumeGiB != nil {
		body["rootVolumeGiB"] = *f.RootVolumeGiB
	}
	if f.SpotMaxPricePercent != nil {
		if *f.SpotMaxPricePercent > 0 {
			body["capacity"] = map[string]any{"type": "spot", "spotMaxPricePercent": *f.SpotMaxPricePercent}
		} else {
			body["capacity"] = map[string]any{"type": "onDemand"}
		}
	}
	if f.Labels != nil {
		labels, err := ParseLabels(f.Labels)
		if err != nil {
			return nil, err
		}
		body["labels"] = labels
	}
	if f.Taints != nil {
		taints, err := ParseTaints(f.Taints)
		if err != nil {
			return nil, err
		}
		body["taints"] = taints
	}
	return body, nil
}

// ParseLabels reads k=v pairs, kubectl style.
func ParseLabels(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("label %q: want key=value", p)
		}
		out[k] = v
	}
	return out, nil
}

// ParseTaints reads kubectl's taint syntax, key[=value]:Effect. The
// effect is checked by the API, which knows the allowed values.
func ParseTaints(specs []string) ([]map[string]string, error) {
	out := []map[string]string{}
	for _, s := range specs {
		kv, effect, ok := strings.Cut(s, ":")
		if !ok || kv == "" || effect == "" {
			return nil, fmt.Errorf("taint %q: want key[=value]:Effect, e.g. dedicated=gpu:NoSchedule", s)
		}
		k, v, _ := strings.Cut(kv, "=")
		t := map[string]string{"key": k, "effect": effect}
		if v != "" {
			t["value"] = v
		}
		out = append(out, t)
	}
	return out, nil
}
