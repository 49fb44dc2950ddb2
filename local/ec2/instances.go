package ec2

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/clusterforge/clusterforge/local/latency"
)

func init() {
	register(map[string]actionHandler{
		"RunInstances":       (*Service).runInstances,
		"TerminateInstances": (*Service).terminateInstances,
	})
}

const (
	stateRunning      = "running"
	statePending      = "pending"
	stateShuttingDown = "shutting-down"
	stateTerminated   = "terminated"
)

var stateCodes = map[string]int{statePending: 0, stateRunning: 16, stateShuttingDown: 32, stateTerminated: 48}

type instance struct {
	meta
	reservationID    string
	launchIndex      int
	imageID          string
	instanceType     string
	vcpus            int
	keyName          string
	subnetID         string
	vpcID            string
	az               string
	eniID            string
	privateIP        string // kept after termination, when the ENI is gone
	userData         string
	iamProfileArn    string
	spot             bool
	spotPrice        float64
	spotRequestID    string
	clientToken      string
	rootDevice       string
	volumeIDs        []string
	disableTerminate bool
	st               string
	terminateStarted time.Time
}

var instanceNotFound = notFoundFunc("InvalidInstanceID.NotFound", "instance ID")

func (i *instance) state() string { return i.st }

// advanceInstances moves instances pending → running and shutting-down →
// terminated; termination frees the ENI (and so its public address) and the
// volumes marked deleteOnTermination.
func (s *Service) advanceInstances(now time.Time) {
	for _, inst := range s.instances {
		switch {
		case inst.st == statePending && !now.Before(inst.created.Add(s.cfg.Latency.Wall(latency.InstanceRunning))):
			inst.st = stateRunning
		case inst.st == stateShuttingDown && !now.Before(inst.terminateStarted.Add(s.cfg.Latency.Wall(latency.InstanceTerminated))):
			inst.st = stateTerminated
			s.releaseInstanceResources(inst)
		}
	}
}

func (s *Service) releaseInstanceResources(inst *instance) {
	if eni, ok := s.enis[inst.eniID]; ok {
		s.removeNetworkInterface(eni)
	}
	for _, id := range inst.volumeIDs {
		v, ok := s.volumes[id]
		if !ok {
			continue
		}
		if v.deleteOnTermination {
			forget(s, s.volumes, id)
		} else {
			v.instanceID, v.device = "", ""
		}
	}
}

// runningVCPUs counts on-demand vCPUs against the standard-instances quota.
func (s *Service) runningVCPUs(region string) int {
	n := 0
	for _, inst := range inRegion(s.instances, region) {
		if !inst.spot && (inst.st == statePending || inst.st == stateRunning) {
			n += inst.vcpus
		}
	}
	return n
}

func (s *Service) runInstances(w http.ResponseWriter, r *request) error {
	if id, ok := s.idempotent(r); ok {
		return s.respondReservation(w, r, id)
	}
	if err := s.mergeLaunchTemplate(r); err != nil {
		return err
	}
	spec, err := s.parseLaunchSpec(r)
	if err != nil {
		return err
	}
	count, err := s.launchCount(r, spec)
	if err != nil {
		return err
	}
	reservationID := newID("r")
	for i := 0; i < count; i++ {
		if _, err := s.launchOne(r, spec, reservationID, i); err != nil {
			s.rollbackReservation(reservationID)
			return err
		}
	}
	s.rememberToken(r, reservationID)
	return s.respondReservation(w, r, reservationID)
}

// launchCount applies MinCount/MaxCount against the vCPU quota: as many as
// fit up to MaxCount, an error when fewer than MinCount fit.
func (s *Service) launchCount(r *request, spec *launchSpec) (int, error) {
	minCount, err := intParam(r.form, "MinCount", 1)
	if err != nil {
		return 0, err
	}
	maxCount, err := intParam(r.form, "MaxCount", minCount)
	if err != nil {
		return 0, err
	}
	if minCount < 1 || maxCount < minCount {
		return 0, errBadRequest("InvalidParameterValue", "MinCount (%d) and MaxCount (%d) are invalid", minCount, maxCount)
	}
	if spec.spot {
		return maxCount, nil
	}
	limit := s.quota(r.region(), quotaOnDemandStdVCPUs)
	fit := (limit - s.runningVCPUs(r.region())) / spec.vcpus
	if fit < minCount {
		return 0, errBadRequest("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of %d allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", limit)
	}
	return min(fit, maxCount), nil
}

func (s *Service) rollbackReservation(reservationID string) {
	for _, inst := range s.instances {
		if inst.reservationID == reservationID {
			s.releaseInstanceResources(inst)
			forget(s, s.instances, inst.id)
		}
	}
}

func (s *Service) launchOne(r *request, spec *launchSpec, reservationID string, index int) (*instance, error) {
	sn := spec.subnet
	eni, err := s.newNetworkInterface(r, sn, spec.groups, spec.privateIP, "")
	if err != nil {
		return nil, err
	}
	inst := &instance{meta: s.newMeta("i", r), reservationID: reservationID, launchIndex: index, imageID: spec.imageID,
		instanceType: spec.instanceType, vcpus: spec.vcpus, keyName: spec.keyName, subnetID: sn.id, vpcID: sn.vpcID, az: sn.az,
		eniID: eni.id, privateIP: eni.privateIP, userData: spec.userData, iamProfileArn: spec.iamProfileArn, spot: spec.spot,
		spotPrice: spec.spotPrice, clientToken: r.form.Get("ClientToken"), rootDevice: "/dev/xvda", st: statePending}
	s.instances[inst.id] = inst
	if spec.spot {
		inst.spotRequestID = "sir-" + newID("x")[2:10]
	}
	eni.instanceID, eni.attachmentID, eni.attachTime, eni.deleteOnTermination = inst.id, newID("eni-attach"), r.now, true
	if spec.publicIP {
		eni.publicIP = s.allocatePublicIP()
	}
	for _, bd := range spec.blockDevices {
		v := &volume{meta: s.newMeta("vol", r), az: sn.az, sizeGiB: bd.sizeGiB, volumeType: bd.volumeType, iops: bd.iops,
			encrypted: bd.encrypted, instanceID: inst.id, device: bd.device, deleteOnTermination: bd.deleteOnTermination}
		s.volumes[v.id] = v
		inst.volumeIDs = append(inst.volumeIDs, v.id)
		if err := s.tagOnCreate(r, "volume", v.id); err != nil {
			return nil, err
		}
	}
	if len(spec.blockDevices) > 0 {
		inst.rootDevice = spec.blockDevices[0].device
	}
	for resourceType, id := range map[string]string{"instance": inst.id, "network-interface": eni.id} {
		if err := s.tagOnCreate(r, resourceType, id); err != nil {
			return nil, err
		}
	}
	return inst, nil
}

func (s *Service) respondReservation(w http.ResponseWriter, r *request, reservationID string) error {
	var items []instanceXML
	for _, inst := range inRegion(s.instances, r.region()) {
		if inst.reservationID == reservationID {
			items = append(items, s.instanceXML(inst))
		}
	}
	return respond(w, r, reservationXML{ReservationID: reservationID, OwnerID: s.cfg.AccountID, Instances: items})
}

func (s *Service) terminateInstances(w http.ResponseWriter, r *request) error {
	ids := listParam(r.form, "InstanceId")
	if len(ids) == 0 {
		return errMissing("InstanceId")
	}
	var targets []*instance
	for _, id := range ids {
		inst, err := lookup(s.instances, r, id, instanceNotFound)
		if err != nil {
			return err
		}
		if inst.disableTerminate {
			return errBadRequest("OperationNotPermitted", "The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", id)
		}
		targets = append(targets, inst)
	}
	type stateXML struct {
		Code int    `xml:"code"`
		Name string `xml:"name"`
	}
	type changeXML struct {
		InstanceID string   `xml:"instanceId"`
		Current    stateXML `xml:"currentState"`
		Previous   stateXML `xml:"previousState"`
	}
	var changes []changeXML
	for _, inst := range targets {
		previous := inst.st
		if inst.st == statePending || inst.st == stateRunning {
			inst.st, inst.terminateStarted = stateShuttingDown, r.now
		}
		changes = append(changes, changeXML{inst.id, stateXML{stateCodes[inst.st], inst.st}, stateXML{stateCodes[previous], previous}})
	}
	return respond(w, r, struct {
		Instances []changeXML `xml:"instancesSet>item"`
	}{changes})
}

// iamProfileArn resolves IamInstanceProfile.Arn or .Name.
func (s *Service) iamProfileArn(form url.Values) string {
	if arn := form.Get("IamInstanceProfile.Arn"); arn != "" {
		return arn
	}
	if name := form.Get("IamInstanceProfile.Name"); name != "" {
		return fmt.Sprintf("arn:aws:iam::%s:instance-profile/%s", s.cfg.AccountID, name)
	}
	return ""
}

func formatPrice(p float64) string { return strconv.FormatFloat(p, 'f', 6, 64) }
