package catalog

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func flt(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func TestDescribeRegions(t *testing.T) {
	_, ec := setup(t, "us-east-1")
	out, err := ec.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	noErr(t, err)
	var got []string
	for _, r := range out.Regions {
		got = append(got, aws.ToString(r.RegionName))
		if want := "ec2." + aws.ToString(r.RegionName) + ".amazonaws.com"; aws.ToString(r.Endpoint) != want {
			t.Errorf("endpoint %q, want %q", aws.ToString(r.Endpoint), want)
		}
	}
	if !slices.Equal(got, Regions()) {
		t.Errorf("regions %v, want %v", got, Regions())
	}
}

func TestAZsPerRegion(t *testing.T) {
	c := New()
	url := serve(t, c)
	want := map[string][]string{
		"us-east-1":      {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"},
		"us-west-2":      {"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"},
		"eu-west-1":      {"eu-west-1a", "eu-west-1b", "eu-west-1c"},
		"eu-central-1":   {"eu-central-1a", "eu-central-1b", "eu-central-1c"},
		"ap-southeast-1": {"ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"},
		"ap-northeast-1": {"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"},
	}
	for region, zones := range want {
		out, err := client(t, url, region).DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
		noErr(t, err)
		var got []string
		for _, z := range out.AvailabilityZones {
			got = append(got, aws.ToString(z.ZoneName))
			if aws.ToString(z.RegionName) != region || z.State != types.AvailabilityZoneStateAvailable {
				t.Errorf("%s: region %q state %q", aws.ToString(z.ZoneName), aws.ToString(z.RegionName), z.State)
			}
			if id := c.ZoneID(region, aws.ToString(z.ZoneName)); id == "" || aws.ToString(z.ZoneId) != id {
				t.Errorf("%s: zone id %q, ZoneID says %q", aws.ToString(z.ZoneName), aws.ToString(z.ZoneId), id)
			}
		}
		if !slices.Equal(got, zones) || !slices.Equal(c.AZs(region), zones) {
			t.Errorf("%s: API zones %v, AZs %v, want %v", region, got, c.AZs(region), zones)
		}
	}
	if got := c.ZoneID("ap-northeast-1", "ap-northeast-1a"); got != "apne1-az4" {
		t.Errorf("Tokyo 1a is %q, want apne1-az4", got)
	}
}

func TestAZFilters(t *testing.T) {
	_, ec := setup(t, "us-east-1")
	cases := []struct {
		name string
		in   ec2.DescribeAvailabilityZonesInput
		want []string
	}{
		{"zone-id", ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{flt("zone-id", "use1-az2")}}, []string{"us-east-1b"}},
		{"wildcard zone-name", ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{flt("zone-name", "us-east-1[a]", "*-1e")}}, []string{"us-east-1e"}},
		{"state and region", ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{flt("state", "available"), flt("region-name", "eu-west-1")}}, nil},
		{"names and ids", ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1c"}, ZoneIds: []string{"use1-az1"}}, []string{"us-east-1a", "us-east-1c"}},
	}
	for _, tc := range cases {
		out, err := ec.DescribeAvailabilityZones(ctx, &tc.in)
		noErr(t, err)
		var got []string
		for _, z := range out.AvailabilityZones {
			got = append(got, aws.ToString(z.ZoneName))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	_, err := ec.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{flt("colour", "blue")}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestUnknownZone(t *testing.T) {
	_, ec := setup(t, "us-east-1")
	for _, in := range []*ec2.DescribeAvailabilityZonesInput{
		{ZoneNames: []string{"us-east-1a", "us-east-1z"}},
		{ZoneNames: []string{"eu-west-1a"}}, // exists, but not in the signed region
		{ZoneIds: []string{"use1-az9"}},
	} {
		_, err := ec.DescribeAvailabilityZones(ctx, in)
		wantCode(t, err, "InvalidParameterValue")
	}
}

func TestImageLookup(t *testing.T) {
	c, ec := setup(t, "eu-west-1")
	// CAPA's lookup: owner plus name format capa-ami-{baseOS}-?{version}-*.
	out, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners:  []string{ownerCAPA},
		Filters: []types.Filter{flt("name", "capa-ami-ubuntu-24.04-?1.31.2-*"), flt("state", "available")},
	})
	noErr(t, err)
	var names []string
	for _, img := range out.Images {
		names = append(names, aws.ToString(img.Name))
	}
	want := []string{"capa-ami-ubuntu-24.04-v1.31.2-1730000000", "capa-ami-ubuntu-24.04-v1.31.2-1731000000"}
	if !slices.Equal(names, want) {
		t.Fatalf("CAPA lookup found %v, want %v", names, want)
	}

	// The bastion's Ubuntu lookup: the name has slashes and two architectures.
	out, err = ec.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners:  []string{ownerCanonical},
		Filters: []types.Filter{flt("name", "ubuntu/images/*ubuntu-noble-24.04-*-server-2024110?"), flt("architecture", "arm64")},
	})
	noErr(t, err)
	if len(out.Images) != 1 || aws.ToString(out.Images[0].Name) != "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241109" {
		t.Fatalf("arm64 noble lookup: %+v", out.Images)
	}
	arm := out.Images[0]

	// By id: same image back, regional ids, and ImageExists agrees.
	id := aws.ToString(arm.ImageId)
	byID, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
	noErr(t, err)
	if len(byID.Images) != 1 || aws.ToString(byID.Images[0].Name) != aws.ToString(arm.Name) || byID.Images[0].Architecture != types.ArchitectureValuesArm64 {
		t.Fatalf("by id %s: %+v", id, byID.Images)
	}
	if len(byID.Images[0].BlockDeviceMappings) != 1 || aws.ToString(byID.Images[0].RootDeviceName) != "/dev/sda1" {
		t.Errorf("root device: %+v", byID.Images[0].BlockDeviceMappings)
	}
	if !c.ImageExists("eu-west-1", id) || c.ImageExists("us-east-1", id) {
		t.Errorf("ImageExists(%s): eu-west-1 %v, us-east-1 %v; AMI ids are regional", id, c.ImageExists("eu-west-1", id), c.ImageExists("us-east-1", id))
	}
	amazon, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []types.Filter{flt("platform", "windows")}})
	noErr(t, err)
	if len(amazon.Images) != 1 {
		t.Errorf("owner alias amazon + windows: %d images, want 1", len(amazon.Images))
	}

	_, err = ec.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id, "ami-0123456789abcdef0"}})
	wantCode(t, err, "InvalidAMIID.NotFound")
	_, err = ec.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ubuntu"}})
	wantCode(t, err, "InvalidAMIID.Malformed")
}

func TestInstanceTypes(t *testing.T) {
	c, ec := setup(t, "us-east-1")
	out, err := ec.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{
		InstanceTypes: []types.InstanceType{"m5.xlarge", "g4dn.xlarge"},
	})
	noErr(t, err)
	if len(out.InstanceTypes) != 2 {
		t.Fatalf("got %d types", len(out.InstanceTypes))
	}
	for _, it := range out.InstanceTypes {
		if v := aws.ToInt32(it.VCpuInfo.DefaultVCpus); v != 4 || aws.ToInt64(it.MemoryInfo.SizeInMiB) != 16384 {
			t.Errorf("%s: %d vCPU %d MiB, want 4 and 16384", it.InstanceType, v, aws.ToInt64(it.MemoryInfo.SizeInMiB))
		}
		if !slices.Contains(it.SupportedUsageClasses, types.UsageClassTypeSpot) || !slices.Contains(it.ProcessorInfo.SupportedArchitectures, types.ArchitectureTypeX8664) {
			t.Errorf("%s: usage %v arch %v", it.InstanceType, it.SupportedUsageClasses, it.ProcessorInfo.SupportedArchitectures)
		}
	}
	gpu := out.InstanceTypes[1].GpuInfo
	if gpu == nil || len(gpu.Gpus) != 1 || aws.ToString(gpu.Gpus[0].Name) != "T4" || aws.ToInt32(gpu.Gpus[0].Count) != 1 || aws.ToInt32(gpu.TotalGpuMemoryInMiB) != 16384 {
		t.Errorf("g4dn.xlarge GPU info: %+v", gpu)
	}
	if v, ok := c.InstanceTypeVCPUs("m5.4xlarge"); !ok || v != 16 {
		t.Errorf("InstanceTypeVCPUs(m5.4xlarge) = %d, %v", v, ok)
	}
	if _, ok := c.InstanceTypeVCPUs("m5.huge"); ok {
		t.Error("InstanceTypeVCPUs knows m5.huge")
	}
	_, err = ec.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"m5.huge"}})
	wantCode(t, err, "InvalidInstanceType")

	// Pages of five through the SDK's paginator, filtered with a wildcard.
	p := ec2.NewDescribeInstanceTypesPaginator(ec, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(5)})
	var all, pages int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		noErr(t, err)
		all += len(page.InstanceTypes)
		pages++
	}
	if all != len(InstanceTypes()) || pages != (len(InstanceTypes())+4)/5 {
		t.Errorf("paginated %d types in %d pages, want %d", all, pages, len(InstanceTypes()))
	}
	t3, err := ec.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{Filters: []types.Filter{flt("instance-type", "t3.*"), flt("burstable-performance-supported", "true")}})
	noErr(t, err)
	if len(t3.InstanceTypes) != 5 {
		t.Errorf("t3.* burstable: %d types, want 5", len(t3.InstanceTypes))
	}
}

func TestOfferings(t *testing.T) {
	c, ec := setup(t, "us-east-1")
	offered := func(locType types.LocationType, location string) []string {
		out, err := ec.DescribeInstanceTypeOfferings(ctx, &ec2.DescribeInstanceTypeOfferingsInput{
			LocationType: locType,
			Filters:      []types.Filter{flt("location", location)},
		})
		noErr(t, err)
		var names []string
		for _, o := range out.InstanceTypeOfferings {
			if aws.ToString(o.Location) != location || o.LocationType != locType {
				t.Errorf("offering %+v outside %s %s", o, locType, location)
			}
			names = append(names, string(o.InstanceType))
		}
		return names
	}
	// The documented gap: use1-az3 (us-east-1e) has no g4dn.2xlarge.
	for _, loc := range []struct {
		typ  types.LocationType
		name string
	}{{types.LocationTypeAvailabilityZone, "us-east-1e"}, {types.LocationTypeAvailabilityZoneId, "use1-az5"}} {
		names := offered(loc.typ, loc.name)
		if slices.Contains(names, "g4dn.2xlarge") || !slices.Contains(names, "m5.large") {
			t.Errorf("%s: %v; want m5.large and no g4dn.2xlarge", loc.name, names)
		}
	}
	if names := offered(types.LocationTypeAvailabilityZone, "us-east-1a"); !slices.Contains(names, "g4dn.2xlarge") || slices.Contains(names, "p3.2xlarge") {
		t.Errorf("us-east-1a: %v; want g4dn.2xlarge and no p3.2xlarge", names)
	}
	if names := offered(types.LocationTypeRegion, "us-east-1"); len(names) != len(InstanceTypes()) {
		t.Errorf("region offerings: %d, want all %d", len(names), len(InstanceTypes()))
	}
	if c.Offered("us-east-1", "us-east-1e", "g4dn.2xlarge") || !c.Offered("us-east-1", "us-east-1b", "p3.2xlarge") {
		t.Error("Offered disagrees with the documented gaps")
	}
}

// TestDemoTypesOffered guards the offering gaps against the demo's needs.
func TestDemoTypesOffered(t *testing.T) {
	c := New()
	zones := append(c.AZs("eu-west-1"), "us-east-1a", "us-east-1b", "us-east-1c")
	for _, typ := range []string{"g4dn.xlarge", "m5.large", "t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge"} {
		for _, z := range zones {
			if region := z[:len(z)-1]; !c.Offered(region, z, typ) {
				t.Errorf("%s not offered in %s", typ, z)
			}
		}
	}
}

func TestServeActionDeclinesOthers(t *testing.T) {
	_, ec := setup(t, "us-east-1")
	_, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	wantCode(t, err, "InvalidAction")
	_, err = ec.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	_, err = client(t, serve(t, New()), "mars-north-1").DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	wantCode(t, err, "InvalidParameterValue")
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbb", false}, {"a?c", "abc", true},
		{"ubuntu/*/x", "ubuntu/a/b/x", true}, {`a\*`, "a*", true}, {`a\*`, "ab", false}, {"", "a", false},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}
