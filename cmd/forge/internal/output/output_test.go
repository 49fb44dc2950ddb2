package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var sample = json.RawMessage(`{"id":"clu-1","name":"prod","status":"Running","extra":{"kept":true}}`)

func sampleTable() (View, error) {
	t := NewTable("id", "name", "status")
	t.Add("clu-1", "prod", "Running")
	t.Add("clu-22", "", "Deleting")
	return t, nil
}

func TestPrintFormats(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, JSON, sample, sampleTable); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["extra"].(map[string]any)["kept"] != true {
		t.Errorf("json output lost fields: %s (%v)", b.String(), err)
	}
	if !strings.Contains(b.String(), "\n  \"id\": \"clu-1\"") {
		t.Errorf("json not indented: %s", b.String())
	}

	b.Reset()
	if err := Print(&b, YAML, sample, sampleTable); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id: clu-1\n", "extra:\n  kept: true\n", "status: Running\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("yaml output misses %q:\n%s", want, b.String())
		}
	}

	b.Reset()
	if err := Print(&b, Table, sample, sampleTable); err != nil {
		t.Fatal(err)
	}
	want := "ID       NAME   STATUS\n" +
		"clu-1    prod   Running\n" +
		"clu-22   -      Deleting\n"
	if b.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "JSON": JSON, "yaml": YAML, "yml": YAML} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, json or yaml") {
		t.Errorf("ParseFormat(xml) error = %v", err)
	}
}

func TestItemsAndSections(t *testing.T) {
	if got := string(Items(nil)); got != `{"items":[]}` {
		t.Errorf("Items(nil) = %s", got)
	}
	var b bytes.Buffer
	err := Sections{KV("name", "prod", "status", ""), NewTable("task")}.Write(&b)
	if err != nil {
		t.Fatal(err)
	}
	if want := "name:     prod\nstatus:   -\n\nTASK\n"; b.String() != want {
		t.Errorf("sections = %q, want %q", b.String(), want)
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{30 * time.Second: "30s", 5 * time.Minute: "5m", 3 * time.Hour: "3h", 72 * time.Hour: "3d"} {
		if got := Age(now.Add(-d), now); got != want {
			t.Errorf("Age(%s) = %s, want %s", d, got, want)
		}
	}
}
