package ec2

import (
	"net/http"
	"strconv"
)

func init() {
	register(map[string]actionHandler{"DescribeVolumes": (*Service).describeVolumes})
}

// volume is an EBS volume; the local EC2 creates them only as instance
// block devices, and deletes them with the instance when asked to.
type volume struct {
	meta
	az                  string
	sizeGiB             int
	volumeType          string
	iops                int
	encrypted           bool
	instanceID          string
	device              string
	deleteOnTermination bool
}

var volumeNotFound = notFoundFunc("InvalidVolume.NotFound", "volume")

func (v *volume) status() string {
	if v.instanceID != "" {
		return "in-use"
	}
	return "available"
}

type volumeAttachmentXML struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type volumeXML struct {
	VolumeID         string                `xml:"volumeId"`
	Size             int                   `xml:"size"`
	SnapshotID       string                `xml:"snapshotId"`
	AvailabilityZone string                `xml:"availabilityZone"`
	Status           string                `xml:"status"`
	CreateTime       string                `xml:"createTime"`
	Attachments      []volumeAttachmentXML `xml:"attachmentSet>item"`
	VolumeType       string                `xml:"volumeType"`
	Iops             int                   `xml:"iops,omitempty"`
	Encrypted        bool                  `xml:"encrypted"`
	Tags             []tagXML              `xml:"tagSet>item"`
}

func (s *Service) volumeXML(v *volume) volumeXML {
	out := volumeXML{VolumeID: v.id, Size: v.sizeGiB, AvailabilityZone: v.az, Status: v.status(), CreateTime: isoTime(v.created),
		VolumeType: v.volumeType, Iops: v.iops, Encrypted: v.encrypted, Tags: s.tagSet(v.id)}
	if v.instanceID != "" {
		out.Attachments = []volumeAttachmentXML{{v.id, v.instanceID, v.device, "attached", isoTime(v.created), v.deleteOnTermination}}
	}
	return out
}

func (s *Service) volumeAttr(v *volume, name string) ([]string, bool) {
	switch name {
	case "volume-id":
		return one(v.id), true
	case "attachment.instance-id":
		return one(v.instanceID), true
	case "attachment.device":
		return one(v.device), true
	case "attachment.delete-on-termination":
		return one(strconv.FormatBool(v.deleteOnTermination)), true
	case "availability-zone":
		return one(v.az), true
	case "status":
		return one(v.status()), true
	case "size":
		return one(strconv.Itoa(v.sizeGiB)), true
	case "volume-type":
		return one(v.volumeType), true
	case "encrypted":
		return one(strconv.FormatBool(v.encrypted)), true
	}
	return nil, false
}

func (s *Service) describeVolumes(w http.ResponseWriter, r *request) error {
	return describeList(s, w, r, s.volumes, describeSpec[*volume]{"VolumeId", volumeNotFound, s.volumeAttr}, "volumeSet", s.volumeXML)
}
