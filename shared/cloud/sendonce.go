package cloud

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sendOnce is a per-operation option for EC2 creates that take no
// ClientToken (CreateVpc, CreateSubnet, CreateInternetGateway,
// AllocateAddress, CreateSecurityGroup). The SDK retries an attempt that
// got no answer (connection reset, EOF, timeout), but such a call may have
// taken effect: a resend makes a second VPC, subnet, gateway or address, or
// answers InvalidGroup.Duplicate. With sendOnce those errors go back to the
// caller, whose retry (the state machine's) looks the resource up by its
// tags before creating it. Answers (throttling, 5xx) are still retried by
// the SDK: AWS did not act on them.
func sendOnce(o *ec2.Options) {
	if o.Retryer != nil {
		o.Retryer = answeredOnlyRetryer{o.Retryer}
	}
}

// answeredOnlyRetryer retries only errors that came with an HTTP answer.
type answeredOnlyRetryer struct{ aws.Retryer }

func (r answeredOnlyRetryer) IsErrorRetryable(err error) bool {
	// The SDK wraps a failed send in a ResponseError too, around an empty
	// response: an answer is a response with a status.
	var (
		send *smithyhttp.RequestSendError
		resp *smithyhttp.ResponseError
	)
	if errors.As(err, &send) || !errors.As(err, &resp) || resp.HTTPStatusCode() == 0 {
		return false // no answer: the call may have taken effect
	}
	return r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken keeps the wrapped retryer's V2 behaviour (retry quota).
func (r answeredOnlyRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.GetInitialToken(), nil
}
