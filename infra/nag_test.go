package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// cdk-nag reports every unsuppressed AwsSolutions finding as an error (or
// warning) annotation on the construct; there must be none.
func TestNagNoUnsuppressedFindings(t *testing.T) {
	for _, stack := range []awscdk.Stack{stacks.Platform, stacks.CustomerRole} {
		ann := assertions.Annotations_FromStack(stack)
		pattern := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, found := range []*[]*cxapi.SynthesisMessage{ann.FindError(jsii.String("*"), pattern), ann.FindWarning(jsii.String("*"), pattern)} {
			for _, m := range *found {
				t.Errorf("%s: %s: %s %v", *stack.StackName(), *m.Id, m.Level, m.Entry.Data)
			}
		}
	}
}

// The report files agree: no Non-Compliant row, and every suppression
// names its reason.
func TestNagReports(t *testing.T) {
	for _, name := range []string{PlatformStackName, CustomerRoleStackName} {
		path := filepath.Join(cfg.Outdir, "AwsSolutions--"+name+"-NagReport.csv")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("nag report: %v", err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %d rows, %v", path, len(rows), err)
		}
		// Each synthesis appends to the report; count distinct rows.
		seen := map[string]bool{}
		suppressed := 0
		for _, r := range rows[1:] {
			if key := strings.Join(r, "|"); seen[key] {
				continue
			} else {
				seen[key] = true
			}
			switch r[2] {
			case "Non-Compliant":
				t.Errorf("%s: %s on %s not compliant", name, r[0], r[1])
			case "Suppressed":
				suppressed++
				if len(strings.TrimSpace(r[3])) < 30 {
					t.Errorf("%s: %s on %s suppressed without a real reason: %q", name, r[0], r[1], r[3])
				}
			}
		}
		t.Logf("%s: %d rule results, %d suppressed with reasons", name, len(seen), suppressed)
	}
}
