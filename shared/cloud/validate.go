package cloud

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/clusterforge/clusterforge/shared/cloud/policy"
)

// validateOwner names the role session of account validation in the
// customer's CloudTrail ("clusterforge-validate").
const validateOwner = "validate"

// Validator answers POST /v1/cloudaccounts/{id}/validate: can the service
// act in the account, what is it missing, and how much room is left.
type Validator struct {
	sessions *SessionCache
	actions  []string
}

// ValidatorOption configures a Validator.
type ValidatorOption func(*Validator)

// WithSessionCache shares the process's session cache (and so its
// per-account budgets) instead of a private one.
func WithSessionCache(c *SessionCache) ValidatorOption {
	return func(v *Validator) { v.sessions = c }
}

// WithActions checks these actions instead of policy.RequiredActions().
func WithActions(actions []string) ValidatorOption {
	return func(v *Validator) { v.actions = actions }
}

// NewValidator returns a Validator acting from the platform's configuration.
func NewValidator(platform aws.Config, opts ...ValidatorOption) *Validator {
	v := &Validator{actions: policy.RequiredActions()}
	for _, o := range opts {
		o(v)
	}
	if v.sessions == nil {
		v.sessions = NewSessionCache(platform, DefaultRateLimits)
	}
	return v
}

// Validate checks access in region. A report with missing permissions or no
// headroom is still a report (nil error); the errors are ErrInvalidAccess
// (400), *CredentialsError (422: the role cannot be assumed or the keys are
// rejected) and failures to reach AWS.
func (v *Validator) Validate(ctx context.Context, access Access, region string) (ValidationReport, error) {
	sess, err := v.sessions.Session(access, region, validateOwner)
	if err != nil {
		return ValidationReport{}, err
	}
	id, err := sess.Identity(ctx)
	if err != nil {
		return ValidationReport{}, err
	}
	report := ValidationReport{Region: region, Identity: id, MissingPermissions: []string{}}

	// Permissions and quotas are independent; ask both at once.
	var (
		wg      sync.WaitGroup
		permErr error
		quotas  []QuotaHeadroom
		qErr    error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var missing, unverified []string
		missing, unverified, permErr = CheckPermissions(ctx, sess, v.actions)
		if missing != nil {
			report.MissingPermissions = missing
		}
		report.Unverified = unverified
	}()
	azs, azErr := availabilityZones(ctx, sess.EC2())
	quotas, qErr = CheckQuotas(ctx, sess, azs)
	wg.Wait()

	if permErr != nil {
		return ValidationReport{}, fmt.Errorf("check permissions in %s: %w", region, permErr)
	}
	if qErr != nil {
		return ValidationReport{}, fmt.Errorf("check quotas in %s: %w", region, qErr)
	}
	if azErr != nil {
		// Without the AZ list the NAT quota is shown only for AZs that have
		// gateways; say so rather than silently showing less.
		quotas = append(quotas, QuotaHeadroom{Name: "NAT gateways per Availability Zone", Code: QuotaNATGatewaysPerAZ, Scope: region, Error: azErr.Error()})
	}
	report.Quotas = quotas
	return report, nil
}

// azAPI is what availabilityZones needs.
type azAPI interface {
	DescribeAvailabilityZones(context.Context, *ec2.DescribeAvailabilityZonesInput, ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error)
}

// availabilityZones lists the region's available zones (not Local or
// Wavelength zones, where clusters are not placed).
func availabilityZones(ctx context.Context, c azAPI) ([]string, error) {
	out, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("state"), Values: []string{"available"}},
			{Name: aws.String("zone-type"), Values: []string{"availability-zone"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("ec2:DescribeAvailabilityZones: %w", err)
	}
	azs := make([]string, 0, len(out.AvailabilityZones))
	for _, z := range out.AvailabilityZones {
		azs = append(azs, aws.ToString(z.ZoneName))
	}
	sort.Strings(azs)
	return azs, nil
}
