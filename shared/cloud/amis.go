package cloud

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ImageQuery picks an AMI the way cluster-api-provider-aws does: the newest
// (by CreationDate) available image whose name matches NamePattern (EC2
// wildcards), published by one of Owners, for Architecture.
type ImageQuery struct {
	NamePattern  string
	Owners       []string
	Architecture string
}

// Publishers of the images we launch.
const (
	// OwnerCAPA publishes Cluster API's kubeadm node images (CNCF account).
	OwnerCAPA = "819546954734"
	// OwnerCanonical publishes Ubuntu.
	OwnerCanonical = "099720109477"
)

var (
	// DefaultNodeImage is the newest Cluster API Ubuntu 24.04 node image of
	// any Kubernetes version; WithNodeImage pins the profile's version.
	DefaultNodeImage = ImageQuery{NamePattern: "capa-ami-ubuntu-24.04-*", Owners: []string{OwnerCAPA}, Architecture: "x86_64"}
	// DefaultBastionImage is plain Ubuntu 24.04: a bastion needs sshd only.
	DefaultBastionImage = ImageQuery{
		NamePattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
		Owners:      []string{OwnerCanonical}, Architecture: "x86_64",
	}
)

// image is what launching needs of an AMI: its id and root device name (the
// root volume's BlockDeviceMapping must name that device to resize it).
type amiImage struct {
	ID         string
	RootDevice string
}

// imageCacheTTL bounds how long a found image is reused: new builds are
// published every few weeks, and a warm Lambda should pick them up within
// a day without paying a DescribeImages (a slow, large answer) per launch.
const imageCacheTTL = 6 * time.Hour

// imageFinder caches image lookups per region and query across the
// invocations a warm Lambda serves. Public images are the same in every
// account of a region, so the cache is not per account.
type imageFinder struct {
	mu      sync.Mutex
	entries map[string]imageEntry
}

type imageEntry struct {
	img     amiImage
	expires time.Time
}

var sharedImageFinder = &imageFinder{entries: map[string]imageEntry{}}

func (f *imageFinder) find(ctx context.Context, api ComputeEC2API, region string, q ImageQuery, now time.Time) (amiImage, error) {
	key := region + "|" + q.NamePattern + "|" + strings.Join(q.Owners, ",") + "|" + q.Architecture
	f.mu.Lock()
	e, ok := f.entries[key]
	f.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.img, nil
	}
	img, err := newestImage(ctx, api, q)
	if err != nil {
		return amiImage{}, err
	}
	f.mu.Lock()
	f.entries[key] = imageEntry{img: img, expires: now.Add(imageCacheTTL)}
	f.mu.Unlock()
	return img, nil
}

func newestImage(ctx context.Context, api ComputeEC2API, q ImageQuery) (amiImage, error) {
	filters := []ec2types.Filter{computeFilter("name", q.NamePattern), computeFilter("state", "available")}
	if q.Architecture != "" {
		filters = append(filters, computeFilter("architecture", q.Architecture))
	}
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: q.Owners, Filters: filters})
	if err != nil {
		return amiImage{}, fmt.Errorf("describe images %q: %w", q.NamePattern, err)
	}
	var best amiImage
	bestDate := ""
	for _, im := range out.Images {
		// CreationDate is RFC 3339 in UTC with a fixed layout, so it sorts
		// as a string.
		if d := aws.ToString(im.CreationDate); best.ID == "" || d > bestDate {
			best, bestDate = amiImage{ID: aws.ToString(im.ImageId), RootDevice: aws.ToString(im.RootDeviceName)}, d
		}
	}
	if best.ID == "" {
		return amiImage{}, fmt.Errorf("no image named %q owned by %s", q.NamePattern, strings.Join(q.Owners, ", "))
	}
	if best.RootDevice == "" {
		best.RootDevice = "/dev/sda1"
	}
	return best, nil
}
