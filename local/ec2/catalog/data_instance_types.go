package catalog

// InstanceType is one EC2 instance type as the catalogue knows it: what
// DescribeInstanceTypes answers and what prices derive from.
type InstanceType struct {
	Name              string
	VCPUs             int
	MemoryMiB         int
	OnDemandUSD       float64 // Linux on-demand per hour in us-east-1; other regions scale it
	ClockGHz          float64 // sustained clock speed
	Architectures     []string
	Burstable         bool   // T-family CPU credits
	Hypervisor        string // nitro or xen
	Network           string // networkPerformance as AWS words it
	MaxENIs           int
	IPv4PerENI        int // with MaxENIs, bounds pods per node under the VPC CNI
	InstanceStorageGB int // local NVMe; 0 means EBS only
	GPU               *GPU
}

// GPU describes an instance type's accelerators.
type GPU struct {
	Name         string
	Manufacturer string
	Count        int
	MemoryMiB    int // per GPU
}

var (
	x86   = []string{"x86_64"}
	tesla = func(name string) *GPU { return &GPU{Name: name, Manufacturer: "NVIDIA", Count: 1, MemoryMiB: 16384} }
)

// instanceTypeTable holds AWS's published specifications and us-east-1 Linux
// on-demand prices (2024). Every type here supports on-demand and spot.
var instanceTypeTable = []InstanceType{
	{Name: "t3.micro", VCPUs: 2, MemoryMiB: 1024, OnDemandUSD: 0.0104, ClockGHz: 2.5, Burstable: true, Network: "Up to 5 Gigabit", MaxENIs: 2, IPv4PerENI: 2},
	{Name: "t3.small", VCPUs: 2, MemoryMiB: 2048, OnDemandUSD: 0.0208, ClockGHz: 2.5, Burstable: true, Network: "Up to 5 Gigabit", MaxENIs: 3, IPv4PerENI: 4},
	{Name: "t3.medium", VCPUs: 2, MemoryMiB: 4096, OnDemandUSD: 0.0416, ClockGHz: 2.5, Burstable: true, Network: "Up to 5 Gigabit", MaxENIs: 3, IPv4PerENI: 6},
	{Name: "t3.large", VCPUs: 2, MemoryMiB: 8192, OnDemandUSD: 0.0832, ClockGHz: 2.5, Burstable: true, Network: "Up to 5 Gigabit", MaxENIs: 3, IPv4PerENI: 12},
	{Name: "t3.xlarge", VCPUs: 4, MemoryMiB: 16384, OnDemandUSD: 0.1664, ClockGHz: 2.5, Burstable: true, Network: "Up to 5 Gigabit", MaxENIs: 4, IPv4PerENI: 15},
	{Name: "m5.large", VCPUs: 2, MemoryMiB: 8192, OnDemandUSD: 0.096, ClockGHz: 3.1, Network: "Up to 10 Gigabit", MaxENIs: 3, IPv4PerENI: 10},
	{Name: "m5.xlarge", VCPUs: 4, MemoryMiB: 16384, OnDemandUSD: 0.192, ClockGHz: 3.1, Network: "Up to 10 Gigabit", MaxENIs: 4, IPv4PerENI: 15},
	{Name: "m5.2xlarge", VCPUs: 8, MemoryMiB: 32768, OnDemandUSD: 0.384, ClockGHz: 3.1, Network: "Up to 10 Gigabit", MaxENIs: 4, IPv4PerENI: 15},
	{Name: "m5.4xlarge", VCPUs: 16, MemoryMiB: 65536, OnDemandUSD: 0.768, ClockGHz: 3.1, Network: "Up to 10 Gigabit", MaxENIs: 8, IPv4PerENI: 30},
	{Name: "m6i.large", VCPUs: 2, MemoryMiB: 8192, OnDemandUSD: 0.096, ClockGHz: 3.5, Network: "Up to 12.5 Gigabit", MaxENIs: 3, IPv4PerENI: 10},
	{Name: "m6i.xlarge", VCPUs: 4, MemoryMiB: 16384, OnDemandUSD: 0.192, ClockGHz: 3.5, Network: "Up to 12.5 Gigabit", MaxENIs: 4, IPv4PerENI: 15},
	{Name: "c5.large", VCPUs: 2, MemoryMiB: 4096, OnDemandUSD: 0.085, ClockGHz: 3.4, Network: "Up to 10 Gigabit", MaxENIs: 3, IPv4PerENI: 10},
	{Name: "c5.xlarge", VCPUs: 4, MemoryMiB: 8192, OnDemandUSD: 0.17, ClockGHz: 3.4, Network: "Up to 10 Gigabit", MaxENIs: 4, IPv4PerENI: 15},
	{Name: "r5.large", VCPUs: 2, MemoryMiB: 16384, OnDemandUSD: 0.126, ClockGHz: 3.1, Network: "Up to 10 Gigabit", MaxENIs: 3, IPv4PerENI: 10},
	{Name: "g4dn.xlarge", VCPUs: 4, MemoryMiB: 16384, OnDemandUSD: 0.526, ClockGHz: 2.5, Network: "Up to 25 Gigabit", MaxENIs: 3, IPv4PerENI: 10, InstanceStorageGB: 125, GPU: tesla("T4")},
	{Name: "g4dn.2xlarge", VCPUs: 8, MemoryMiB: 32768, OnDemandUSD: 0.752, ClockGHz: 2.5, Network: "Up to 25 Gigabit", MaxENIs: 3, IPv4PerENI: 10, InstanceStorageGB: 225, GPU: tesla("T4")},
	{Name: "p3.2xlarge", VCPUs: 8, MemoryMiB: 62464, OnDemandUSD: 3.06, ClockGHz: 2.3, Hypervisor: "xen", Network: "Up to 10 Gigabit", MaxENIs: 4, IPv4PerENI: 15, GPU: tesla("V100")},
}

// init fills the columns that are the same for nearly every row, so the table
// above only states what differs.
func init() {
	for i := range instanceTypeTable {
		it := &instanceTypeTable[i]
		if it.Architectures == nil {
			it.Architectures = x86
		}
		if it.Hypervisor == "" {
			it.Hypervisor = "nitro"
		}
	}
}

// offeringGap is a set of instance types AWS does not offer in some zones.
// Everything not listed here is offered in every zone of every region.
type offeringGap struct {
	types  []string
	region string
	zones  string // zone letters where the types are missing
	why    string
}

// offeringGaps mirror the kind of holes real AWS has, so the placement code
// meets "not offered in this AZ" without a fault being injected. The demo
// relies on g4dn.xlarge, m5.large and the t3 family in every eu-west-1 zone
// and in us-east-1a–c; TestDemoTypesOffered guards that.
var offeringGaps = []offeringGap{
	{[]string{"p3.2xlarge"}, "us-east-1", "ace", "V100 capacity sits in a few zones only"},
	{[]string{"p3.2xlarge"}, "us-east-2", "c", "V100 capacity sits in a few zones only"},
	{[]string{"p3.2xlarge", "g4dn.2xlarge"}, "us-west-2", "d", "usw2-az4 is the newest Oregon zone and lacks GPU capacity"},
	{[]string{"p3.2xlarge"}, "eu-central-1", "c", "V100 capacity sits in a few zones only"},
	{[]string{"p3.2xlarge"}, "ap-southeast-1", "c", "V100 capacity sits in a few zones only"},
	{[]string{"p3.2xlarge"}, "ap-northeast-1", "a", "V100 capacity sits in a few zones only"},
	{[]string{"g4dn.2xlarge", "m6i.large", "m6i.xlarge"}, "us-east-1", "e", "us-east-1e (use1-az3 on most real accounts) is the legacy constrained zone without newer families"},
}
