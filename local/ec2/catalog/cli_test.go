package catalog

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAWSCLI proves botocore (Debian's awscli) parses the XML too: it is
// stricter about some shapes than aws-sdk-go-v2 and is what users type. Each
// command starts a Python process, so the cases run in parallel.
func TestAWSCLI(t *testing.T) {
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (awscli) not on PATH")
	}
	url := serve(t, New())
	// listed checks that the command succeeded and answered n items under key
	// (n < 0: any non-zero number).
	listed := func(key string, n int) func(*testing.T, map[string]any) {
		return func(t *testing.T, out map[string]any) {
			items, _ := out[key].([]any)
			if (n < 0 && len(items) == 0) || (n >= 0 && len(items) != n) {
				t.Errorf("%d %s, want %d: %v", len(items), key, n, out)
			}
		}
	}
	cases := []struct {
		name    string
		args    []string
		check   func(*testing.T, map[string]any)
		errCode string // the command must fail with this code instead
	}{
		{"zones", []string{"describe-availability-zones"}, func(t *testing.T, out map[string]any) {
			var got []string
			for _, z := range out["AvailabilityZones"].([]any) {
				zm := z.(map[string]any)
				got = append(got, zm["ZoneName"].(string)+"="+zm["ZoneId"].(string))
			}
			if s := strings.Join(got, ","); s != "eu-west-1a=euw1-az1,eu-west-1b=euw1-az2,eu-west-1c=euw1-az3" {
				t.Errorf("zones: %s", s)
			}
		}, ""},
		{"unknown zone", []string{"describe-availability-zones", "--zone-names", "eu-west-1z"}, nil, "InvalidParameterValue"},
		{"spot", []string{"describe-spot-price-history", "--instance-types", "g4dn.xlarge", "--product-descriptions", "Linux/UNIX"}, listed("SpotPriceHistory", 3*spotRecentPoints), ""},
		{"regions", []string{"describe-regions"}, listed("Regions", len(Regions())), ""},
		{"images", []string{"describe-images", "--owners", "amazon", "--filters", "Name=name,Values=amazon-eks-node-*"}, listed("Images", 2), ""},
		{"types", []string{"describe-instance-types", "--instance-types", "g4dn.xlarge", "p3.2xlarge"}, listed("InstanceTypes", 2), ""},
		{"offerings", []string{"describe-instance-type-offerings", "--location-type", "availability-zone"}, listed("InstanceTypeOfferings", -1), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(awsBin, append([]string{"--endpoint-url", url, "--region", "eu-west-1", "--output", "json", "ec2"}, tc.args...)...)
			cmd.Env = append(os.Environ(),
				"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
				"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
				"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if tc.errCode != "" {
				// Errors come back in EC2's shape, which botocore turns into the code.
				if err == nil || !strings.Contains(stderr.String(), tc.errCode) {
					t.Errorf("want %s, got err %v, stderr %s", tc.errCode, err, stderr.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("aws ec2 %s: %v\n%s", strings.Join(tc.args, " "), err, stderr.String())
			}
			var out map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
			}
			tc.check(t, out)
		})
	}
}
