package catalog

import (
	"fmt"
	"strings"
)

// XML shapes of the catalogue's items, named as in the EC2 API reference
// (and as aws-sdk-go-v2's and botocore's deserializers read them).

type regionXML struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type zoneXML struct {
	ZoneName           string   `xml:"zoneName"`
	ZoneState          string   `xml:"zoneState"`
	RegionName         string   `xml:"regionName"`
	ZoneID             string   `xml:"zoneId"`
	GroupName          string   `xml:"groupName"`
	NetworkBorderGroup string   `xml:"networkBorderGroup"`
	OptInStatus        string   `xml:"optInStatus"`
	ZoneType           string   `xml:"zoneType"`
	Messages           []string `xml:"messageSet>item"`
}

// None of our regions or zones needs opting in, and all are up.
const (
	optInNotRequired = "opt-in-not-required"
	zoneAvailable    = "available"
)

func regionItem(name string) regionXML {
	return regionXML{RegionName: name, RegionEndpoint: "ec2." + name + ".amazonaws.com", OptInStatus: optInNotRequired}
}

func zoneItem(regionName string, z zone) zoneXML {
	return zoneXML{
		ZoneName: z.name, ZoneState: zoneAvailable, RegionName: regionName, ZoneID: z.id,
		GroupName: regionName, NetworkBorderGroup: regionName, OptInStatus: optInNotRequired,
		ZoneType: "availability-zone",
	}
}

type imageXML struct {
	ImageID            string   `xml:"imageId"`
	ImageLocation      string   `xml:"imageLocation"`
	ImageState         string   `xml:"imageState"`
	ImageOwnerID       string   `xml:"imageOwnerId"`
	CreationDate       string   `xml:"creationDate"`
	IsPublic           bool     `xml:"isPublic"`
	Architecture       string   `xml:"architecture"`
	ImageType          string   `xml:"imageType"`
	Platform           string   `xml:"platform,omitempty"`
	PlatformDetails    string   `xml:"platformDetails"`
	UsageOperation     string   `xml:"usageOperation"`
	ImageOwnerAlias    string   `xml:"imageOwnerAlias,omitempty"`
	Name               string   `xml:"name"`
	Description        string   `xml:"description"`
	RootDeviceType     string   `xml:"rootDeviceType"`
	RootDeviceName     string   `xml:"rootDeviceName"`
	BlockDeviceMapping []bdmXML `xml:"blockDeviceMapping>item"`
	VirtualizationType string   `xml:"virtualizationType"`
	Hypervisor         string   `xml:"hypervisor"`
	EnaSupport         bool     `xml:"enaSupport"`
	SriovNetSupport    string   `xml:"sriovNetSupport"`
}

type bdmXML struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		SnapshotID          string `xml:"snapshotId"`
		VolumeSize          int    `xml:"volumeSize"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
		VolumeType          string `xml:"volumeType"`
		Encrypted           bool   `xml:"encrypted"`
	} `xml:"ebs"`
}

func imageItem(regionName string, img Image) imageXML {
	x := imageXML{
		ImageID: img.ID, ImageLocation: img.OwnerID + "/" + img.Name, ImageState: "available",
		ImageOwnerID: img.OwnerID, CreationDate: img.CreationDate, IsPublic: true,
		Architecture: img.Architecture, ImageType: "machine", Platform: img.Platform,
		PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
		ImageOwnerAlias: img.OwnerAlias, Name: img.Name, Description: img.Description,
		RootDeviceType: "ebs", RootDeviceName: img.RootDevice, VirtualizationType: "hvm",
		Hypervisor: "xen", EnaSupport: true, SriovNetSupport: "simple",
	}
	if img.OwnerAlias != "" {
		x.ImageLocation = img.OwnerAlias + "/" + img.Name // how AWS shows Amazon's own images
	}
	if img.Platform == "windows" {
		x.PlatformDetails, x.UsageOperation = "Windows", "RunInstances:0002" // the licence-included billing code
	}
	var bdm bdmXML
	bdm.DeviceName = img.RootDevice
	bdm.Ebs.SnapshotID = "snap-" + hashID("snapshot", regionName, img.Name)
	bdm.Ebs.VolumeSize = img.VolumeGiB
	bdm.Ebs.DeleteOnTermination = true
	bdm.Ebs.VolumeType = "gp3"
	if strings.Contains(img.Name, "/hvm-ssd/") { // Canonical's pre-gp3 image line
		bdm.Ebs.VolumeType = "gp2"
	}
	x.BlockDeviceMapping = []bdmXML{bdm}
	return x
}

type instanceTypeXML struct {
	InstanceType                  string       `xml:"instanceType"`
	CurrentGeneration             bool         `xml:"currentGeneration"`
	FreeTierEligible              bool         `xml:"freeTierEligible"`
	SupportedUsageClasses         []string     `xml:"supportedUsageClasses>item"`
	SupportedRootDeviceTypes      []string     `xml:"supportedRootDeviceTypes>item"`
	SupportedVirtualizationTypes  []string     `xml:"supportedVirtualizationTypes>item"`
	BareMetal                     bool         `xml:"bareMetal"`
	Hypervisor                    string       `xml:"hypervisor"`
	ProcessorInfo                 processorXML `xml:"processorInfo"`
	VCPUInfo                      vcpuXML      `xml:"vCpuInfo"`
	MemoryInfo                    memoryXML    `xml:"memoryInfo"`
	InstanceStorageSupported      bool         `xml:"instanceStorageSupported"`
	InstanceStorageInfo           *storageXML  `xml:"instanceStorageInfo,omitempty"`
	EbsInfo                       ebsInfoXML   `xml:"ebsInfo"`
	NetworkInfo                   networkXML   `xml:"networkInfo"`
	GpuInfo                       *gpuInfoXML  `xml:"gpuInfo,omitempty"`
	PlacementGroupStrategies      []string     `xml:"placementGroupInfo>supportedStrategies>item"`
	HibernationSupported          bool         `xml:"hibernationSupported"`
	BurstablePerformanceSupported bool         `xml:"burstablePerformanceSupported"`
	DedicatedHostsSupported       bool         `xml:"dedicatedHostsSupported"`
	AutoRecoverySupported         bool         `xml:"autoRecoverySupported"`
	SupportedBootModes            []string     `xml:"supportedBootModes>item"`
}

type processorXML struct {
	SupportedArchitectures []string `xml:"supportedArchitectures>item"`
	ClockSpeedGHz          float64  `xml:"sustainedClockSpeedInGhz"`
	Manufacturer           string   `xml:"manufacturer"`
}

type vcpuXML struct {
	DefaultVCPUs          int `xml:"defaultVCpus"`
	DefaultCores          int `xml:"defaultCores"`
	DefaultThreadsPerCore int `xml:"defaultThreadsPerCore"`
}

type memoryXML struct {
	SizeInMiB int `xml:"sizeInMiB"`
}

type storageXML struct {
	TotalSizeInGB int    `xml:"totalSizeInGB"`
	NvmeSupport   string `xml:"nvmeSupport"`
}

type ebsInfoXML struct {
	EbsOptimizedSupport string `xml:"ebsOptimizedSupport"`
	EncryptionSupport   string `xml:"encryptionSupport"`
	NvmeSupport         string `xml:"nvmeSupport"`
}

type networkXML struct {
	NetworkPerformance        string `xml:"networkPerformance"`
	MaximumNetworkInterfaces  int    `xml:"maximumNetworkInterfaces"`
	MaximumNetworkCards       int    `xml:"maximumNetworkCards"`
	IPv4AddressesPerInterface int    `xml:"ipv4AddressesPerInterface"`
	IPv6AddressesPerInterface int    `xml:"ipv6AddressesPerInterface"`
	IPv6Supported             bool   `xml:"ipv6Supported"`
	EnaSupport                string `xml:"enaSupport"`
	EfaSupported              bool   `xml:"efaSupported"`
}

type gpuInfoXML struct {
	Gpus                []gpuXML `xml:"gpus>item"`
	TotalGpuMemoryInMiB int      `xml:"totalGpuMemoryInMiB"`
}

type gpuXML struct {
	Name         string    `xml:"name"`
	Manufacturer string    `xml:"manufacturer"`
	Count        int       `xml:"count"`
	MemoryInfo   memoryXML `xml:"memoryInfo"`
}

func instanceTypeItem(it *InstanceType) instanceTypeXML {
	nitro := it.Hypervisor == "nitro"
	x := instanceTypeXML{
		InstanceType: it.Name, CurrentGeneration: true, FreeTierEligible: it.Name == "t3.micro",
		SupportedUsageClasses:        []string{"on-demand", "spot"},
		SupportedRootDeviceTypes:     []string{"ebs"},
		SupportedVirtualizationTypes: []string{"hvm"},
		Hypervisor:                   it.Hypervisor,
		ProcessorInfo:                processorXML{SupportedArchitectures: it.Architectures, ClockSpeedGHz: it.ClockGHz, Manufacturer: "Intel"},
		// Every type here is Intel with hyper-threading: two threads per core.
		VCPUInfo:                 vcpuXML{DefaultVCPUs: it.VCPUs, DefaultCores: max(it.VCPUs/2, 1), DefaultThreadsPerCore: 2},
		MemoryInfo:               memoryXML{SizeInMiB: it.MemoryMiB},
		InstanceStorageSupported: it.InstanceStorageGB > 0,
		EbsInfo:                  ebsInfoXML{EbsOptimizedSupport: "default", EncryptionSupport: "supported", NvmeSupport: "unsupported"},
		NetworkInfo: networkXML{
			NetworkPerformance: it.Network, MaximumNetworkInterfaces: it.MaxENIs, MaximumNetworkCards: 1,
			IPv4AddressesPerInterface: it.IPv4PerENI, IPv6AddressesPerInterface: it.IPv4PerENI,
			IPv6Supported: true, EnaSupport: "required",
		},
		PlacementGroupStrategies:      []string{"cluster", "partition", "spread"},
		HibernationSupported:          it.GPU == nil,
		BurstablePerformanceSupported: it.Burstable,
		DedicatedHostsSupported:       !it.Burstable,
		AutoRecoverySupported:         it.InstanceStorageGB == 0,
		SupportedBootModes:            []string{"legacy-bios", "uefi"},
	}
	if nitro {
		x.EbsInfo.NvmeSupport = "required" // Nitro exposes EBS volumes as NVMe
	} else {
		x.SupportedBootModes = []string{"legacy-bios"}
	}
	if it.InstanceStorageGB > 0 {
		x.InstanceStorageInfo = &storageXML{TotalSizeInGB: it.InstanceStorageGB, NvmeSupport: "required"}
	}
	if g := it.GPU; g != nil {
		x.GpuInfo = &gpuInfoXML{
			Gpus:                []gpuXML{{Name: g.Name, Manufacturer: g.Manufacturer, Count: g.Count, MemoryInfo: memoryXML{g.MemoryMiB}}},
			TotalGpuMemoryInMiB: g.Count * g.MemoryMiB,
		}
	}
	return x
}

type offeringXML struct {
	InstanceType string `xml:"instanceType"`
	LocationType string `xml:"locationType"`
	Location     string `xml:"location"`
}

type spotPriceXML struct {
	InstanceType       string `xml:"instanceType"`
	ProductDescription string `xml:"productDescription"`
	SpotPrice          string `xml:"spotPrice"`
	Timestamp          string `xml:"timestamp"`
	AvailabilityZone   string `xml:"availabilityZone"`
	AvailabilityZoneID string `xml:"availabilityZoneId"`
}

// ec2Time is how EC2 prints timestamps.
const ec2Time = "2006-01-02T15:04:05.000Z"

func spotPriceItem(p spotPoint) spotPriceXML {
	return spotPriceXML{
		InstanceType: p.instanceType, ProductDescription: productLinux,
		SpotPrice: fmt.Sprintf("%.6f", p.price), Timestamp: p.at.UTC().Format(ec2Time),
		AvailabilityZone: p.zone.name, AvailabilityZoneID: p.zone.id,
	}
}
