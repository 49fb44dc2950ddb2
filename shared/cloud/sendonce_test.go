package cloud

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// lostResponseTransport fails the first `lost` attempts as a dropped
// connection would (no response), then throttles `throttle` attempts, then
// answers CreateVpc.
type lostResponseTransport struct {
	lost, throttle int32
	calls          atomic.Int32
}

func (f *lostResponseTransport) Do(req *http.Request) (*http.Response, error) {
	n := f.calls.Add(1)
	if n <= f.lost {
		return nil, io.ErrUnexpectedEOF
	}
	status, body := 200, `<CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpc><vpcId>vpc-1</vpcId></vpc></CreateVpcResponse>`
	if n <= f.lost+f.throttle {
		status, body = 503, ec2Error("RequestLimitExceeded", "Request limit exceeded.")
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(bytes.NewBufferString(body)), Request: req}, nil
}

func TestSendOnce(t *testing.T) {
	newSess := func(tr *lostResponseTransport) *Session {
		cache := NewSessionCache(platformConfig("http://ec2.fake", tr), RateLimits{})
		sess, err := cache.Session(Access{Type: AccessSecret, AccessKeyID: "AKIDCUSTOMER", SecretAccessKey: "s"}, "eu-west-1", "cl-1")
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	in := &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}

	// Without the option the SDK resends a call that got no answer.
	tr := &lostResponseTransport{lost: 1}
	if _, err := newSess(tr).EC2().CreateVpc(context.Background(), in); err != nil || tr.calls.Load() != 2 {
		t.Fatalf("default retryer: err %v after %d attempts, want success after 2", err, tr.calls.Load())
	}
	// With it, the caller gets the error after one attempt...
	tr = &lostResponseTransport{lost: 1}
	_, err := newSess(tr).EC2().CreateVpc(context.Background(), in, sendOnce)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || tr.calls.Load() != 1 {
		t.Fatalf("sendOnce: err %v after %d attempts, want the lost response after 1", err, tr.calls.Load())
	}
	// ...while answered throttles are still retried.
	tr = &lostResponseTransport{throttle: 2}
	if _, err := newSess(tr).EC2().CreateVpc(context.Background(), in, sendOnce); err != nil || tr.calls.Load() != 3 {
		t.Fatalf("sendOnce with throttling: err %v after %d attempts, want success after 3", err, tr.calls.Load())
	}
}
