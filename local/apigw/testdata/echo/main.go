// Command echo is a test Lambda served through the Lambda Runtime API: it
// answers every API Gateway v2 event with the event itself as JSON, and
// fails on /v1/fail so function errors can be exercised end to end.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if ev.RawPath == "/v1/fail" {
		return events.APIGatewayV2HTTPResponse{}, errors.New("asked to fail")
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("encode event: %w", err)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"content-type": "application/json", "x-echo": "yes"},
		Cookies:    []string{"echo=1; Path=/"},
		Body:       string(body),
	}, nil
}

func main() { lambda.Start(handle) }
