package cloud

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// queryHandler answers one AWS request (query protocol: EC2, STS, IAM; or
// JSON protocol, whose body is passed as form "json"):
// the caller's access key id, the Action and the form; it returns the HTTP
// status and XML body.
type queryHandler func(keyID, action string, form url.Values) (int, string)

var credentialRE = regexp.MustCompile(`Credential=([^/]+)/`)

// newQueryServer is a fake AWS endpoint, as AWS_ENDPOINT_URL would name.
func newQueryServer(t *testing.T, h queryHandler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		action, contentType := form.Get("Action"), "text/xml"
		if target := r.Header.Get("X-Amz-Target"); target != "" {
			// JSON protocol (Service Quotas): the action is in the header.
			action, contentType = target[strings.LastIndex(target, ".")+1:], "application/x-amz-json-1.1"
			form = url.Values{"json": {string(body)}}
		}
		key := ""
		if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			key = m[1]
		}
		status, out := h(key, action, form)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// ec2Error is EC2's error document.
func ec2Error(code, msg string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>req-1</RequestID></Response>`, code, msg)
}

// stsError is the error document of STS and IAM.
func stsError(code, msg string) string {
	return fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`, code, msg)
}

func callerIdentityXML(arn, account string) string {
	return fmt.Sprintf(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AROAEXAMPLE:clusterforge-x</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, arn, account)
}

func assumeRoleXML(keyID string) string {
	return fmt.Sprintf(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/cf/x</Arn><AssumedRoleId>AROAEXAMPLE:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`, keyID)
}

// platformConfig is the service's own configuration pointed at endpoint,
// as AWS_ENDPOINT_URL would point it at the local cloud.
func platformConfig(endpoint string, httpClient aws.HTTPClient) aws.Config {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDPLATFORM", "platform-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	if httpClient != nil {
		cfg.HTTPClient = httpClient
	}
	return cfg
}

// recorder counts calls per action, safely across goroutines.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
}

func (r *recorder) add(action string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[action]++
}

func (r *recorder) count(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[action]
}

// ec2Action strips the "ec2:" prefix: the query Action of an IAM action name.
func ec2Action(iamAction string) string { return strings.TrimPrefix(iamAction, "ec2:") }

// ec2XML wraps inner in the response document of an EC2 action.
func ec2XML(action, inner string) string {
	return fmt.Sprintf(`<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>%s</%sResponse>`, action, inner, action)
}
