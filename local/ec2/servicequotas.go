package ec2

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

// Service Quotas codes the local cloud enforces.
const (
	quotaVPCsPerRegion     = "L-F678F1CE"
	quotaNATGatewaysPerAZ  = "L-FE5A380F"
	quotaElasticIPs        = "L-0263D0A3"
	quotaOnDemandStdVCPUs  = "L-1216C47A"
	attributeMaxElasticIPs = "max-elastic-ips"
)

type quotaInfo struct {
	service string
	name    string
	def     int
}

var quotaCatalog = map[string]quotaInfo{
	quotaVPCsPerRegion:    {"vpc", "VPCs per Region", 5},
	quotaNATGatewaysPerAZ: {"vpc", "NAT gateways per Availability Zone", 5},
	quotaElasticIPs:       {"ec2", "EC2-VPC Elastic IPs", 5},
	quotaOnDemandStdVCPUs: {"ec2", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 256},
}

// quotaAliases lets the admin endpoint name quotas as account attributes.
var quotaAliases = map[string]string{
	attributeMaxElasticIPs: quotaElasticIPs,
	"vpc-max-elastic-ips":  quotaElasticIPs,
	"max-vpcs":             quotaVPCsPerRegion,
	"max-nat-gateways":     quotaNATGatewaysPerAZ,
	"max-vcpus":            quotaOnDemandStdVCPUs,
}

// SetQuota overrides one quota (a Service Quotas code or an account
// attribute name such as max-elastic-ips); region "" sets every region.
func (s *Service) SetQuota(region, code string, value int) {
	if alias, ok := quotaAliases[code]; ok {
		code = alias
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.quotas[region] == nil {
		s.quotas[region] = map[string]int{}
	}
	s.quotas[region][code] = value
}

func (s *Service) quota(region, code string) int {
	if v, ok := s.quotas[region][code]; ok {
		return v
	}
	if v, ok := s.quotas[""][code]; ok {
		return v
	}
	return quotaCatalog[code].def
}

// ServeServiceQuotas answers ServiceQuotasV20190624.GetServiceQuota (JSON 1.1).
func (s *Service) ServeServiceQuotas(w http.ResponseWriter, hr *http.Request) {
	call, ok := awsproto.FromContext(hr.Context())
	if !ok {
		var err error
		if call, err = awsproto.Parse(hr); err != nil {
			awsproto.WriteError(w, awsproto.Call{Protocol: awsproto.ProtocolJSON},
				awsproto.Errorf(http.StatusBadRequest, "MissingAuthenticationToken", "%v", err))
			return
		}
	}
	call.Protocol = awsproto.ProtocolJSON
	if call.Action != "GetServiceQuota" {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "UnknownOperationException",
			"The action %s is not supported by the local Service Quotas.", call.Action))
		return
	}
	var in struct{ ServiceCode, QuotaCode string }
	if err := json.NewDecoder(hr.Body).Decode(&in); err != nil {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "SerializationException", "decode GetServiceQuota body: %v", err))
		return
	}
	info, ok := quotaCatalog[in.QuotaCode]
	if !ok || info.service != in.ServiceCode {
		awsproto.WriteError(w, call, awsproto.Errorf(http.StatusBadRequest, "NoSuchResourceException",
			"The request failed because the specified service or quota does not exist: %s/%s.", in.ServiceCode, in.QuotaCode))
		return
	}
	s.mu.Lock()
	value := s.quota(call.Region, in.QuotaCode)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Quota": map[string]any{
		"ServiceCode": in.ServiceCode,
		"QuotaCode":   in.QuotaCode,
		"QuotaName":   info.name,
		"QuotaArn":    fmt.Sprintf("arn:aws:servicequotas:%s:%s:%s/%s", call.Region, s.cfg.AccountID, in.ServiceCode, in.QuotaCode),
		"Value":       float64(value),
		"Unit":        "None",
		"Adjustable":  true,
		"GlobalQuota": false,
	}})
}
