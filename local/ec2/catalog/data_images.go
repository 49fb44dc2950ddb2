package catalog

// Image is one public AMI as the catalogue knows it. Every image exists in
// every region, under a region-specific id (as AWS copies public AMIs).
type Image struct {
	ID           string // ami-…, derived from region and name
	Name         string
	Description  string
	OwnerID      string
	OwnerAlias   string // "amazon" for Amazon-published images, else empty
	Architecture string
	Platform     string // "windows" or empty
	CreationDate string // RFC 3339 with milliseconds, as EC2 prints it
	RootDevice   string
	VolumeGiB    int
}

// Image owners the service and CAPA look images up by.
const (
	ownerCAPA      = "819546954734" // Cluster API's published kubeadm images (CNCF account)
	ownerCanonical = "099720109477"
	ownerAmazon    = "137112412989" // Amazon Linux
	ownerEKS       = "602401143452" // EKS optimized node images
	ownerWindows   = "801119661308"
)

// imageFamily holds what all images of one publisher share.
type imageFamily struct {
	owner, alias, platform string
	rootDevice             string
	volumeGiB              int
}

var (
	capaFamily    = imageFamily{owner: ownerCAPA, rootDevice: "/dev/sda1", volumeGiB: 8}
	ubuntuFamily  = imageFamily{owner: ownerCanonical, rootDevice: "/dev/sda1", volumeGiB: 8}
	al2023Family  = imageFamily{owner: ownerAmazon, alias: "amazon", rootDevice: "/dev/xvda", volumeGiB: 8}
	eksFamily     = imageFamily{owner: ownerEKS, alias: "amazon", rootDevice: "/dev/xvda", volumeGiB: 20}
	windowsFamily = imageFamily{owner: ownerWindows, alias: "amazon", platform: "windows", rootDevice: "/dev/sda1", volumeGiB: 30}
)

type imageSpec struct {
	family      imageFamily
	name        string
	arch        string
	created     string
	description string
}

// imageTable lists the images Kubernetes nodes and bastions are launched
// from. CAPA finds its images by the name format
// capa-ami-{baseOS}-?{k8sVersion}-* (the trailing number is the build's Unix
// time); two builds of v1.31.2 on Ubuntu 24.04 exercise "pick the newest".
// Ubuntu carries an amd64 and an arm64 build of the same date so that an
// architecture filter matters.
var imageTable = []imageSpec{
	{capaFamily, "capa-ami-ubuntu-22.04-v1.30.6-1729000000", "x86_64", "2024-10-15T13:46:40.000Z", "Cluster API AMI - Ubuntu 22.04 - Kubernetes v1.30.6"},
	{capaFamily, "capa-ami-ubuntu-24.04-v1.30.6-1729000000", "x86_64", "2024-10-15T13:46:40.000Z", "Cluster API AMI - Ubuntu 24.04 - Kubernetes v1.30.6"},
	{capaFamily, "capa-ami-ubuntu-22.04-v1.31.2-1730000000", "x86_64", "2024-10-27T03:33:20.000Z", "Cluster API AMI - Ubuntu 22.04 - Kubernetes v1.31.2"},
	{capaFamily, "capa-ami-ubuntu-24.04-v1.31.2-1730000000", "x86_64", "2024-10-27T03:33:20.000Z", "Cluster API AMI - Ubuntu 24.04 - Kubernetes v1.31.2"},
	{capaFamily, "capa-ami-ubuntu-24.04-v1.31.2-1731000000", "x86_64", "2024-11-07T17:20:00.000Z", "Cluster API AMI - Ubuntu 24.04 - Kubernetes v1.31.2"},
	{capaFamily, "capa-ami-ubuntu-24.04-v1.31.4-1734000000", "x86_64", "2024-12-12T10:40:00.000Z", "Cluster API AMI - Ubuntu 24.04 - Kubernetes v1.31.4"},
	{capaFamily, "capa-ami-ubuntu-24.04-v1.32.0-1734600000", "x86_64", "2024-12-19T09:20:00.000Z", "Cluster API AMI - Ubuntu 24.04 - Kubernetes v1.32.0"},
	{ubuntuFamily, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241004", "x86_64", "2024-10-04T09:12:31.000Z", "Canonical, Ubuntu, 24.04, amd64 noble image"},
	{ubuntuFamily, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241109", "x86_64", "2024-11-09T08:05:44.000Z", "Canonical, Ubuntu, 24.04, amd64 noble image"},
	{ubuntuFamily, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241109", "arm64", "2024-11-09T08:06:02.000Z", "Canonical, Ubuntu, 24.04, arm64 noble image"},
	{ubuntuFamily, "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241002", "x86_64", "2024-10-02T10:41:17.000Z", "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2024-10-02"},
	{al2023Family, "al2023-ami-2023.6.20241111.0-kernel-6.1-x86_64", "x86_64", "2024-11-08T23:10:05.000Z", "Amazon Linux 2023 AMI 2023.6.20241111.0 x86_64 HVM kernel-6.1"},
	{eksFamily, "amazon-eks-node-al2023-x86_64-standard-1.31-v20241109", "x86_64", "2024-11-09T02:21:48.000Z", "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.31.2, containerd: 1.7.*)"},
	{eksFamily, "amazon-eks-node-al2023-x86_64-nvidia-1.31-v20241109", "x86_64", "2024-11-09T02:40:12.000Z", "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.31.2, containerd: 1.7.*, nvidia)"},
	{windowsFamily, "Windows_Server-2022-English-Full-Base-2024.11.13", "x86_64", "2024-11-13T21:50:33.000Z", "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon"},
}
