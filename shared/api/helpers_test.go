package api_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/domain"
	"github.com/clusterforge/clusterforge/shared/store"
)

func newHandlerWithoutValidator(h *harness) *api.Handler {
	return api.New(api.Deps{Store: h.env.Store, Secrets: h.env.Secrets, PlatformAccountID: platform, Logger: api.NewLogger(h.logs, "info")})
}

// putClusterUsing writes a cluster item the way the cluster store will, so
// the account's in-use check sees it.
func putClusterUsing(t *testing.T, h *harness, accountID string) {
	t.Helper()
	scope := domain.Scope{Tenant: "acme", Project: "web"}
	pk, sk := store.AccountUseKeys(scope, accountID, "clu-1")
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	_, err := h.env.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(h.env.Table),
		Item:      map[string]types.AttributeValue{"PK": s(store.ScopePK(scope)), "SK": s(sk), "GSI1PK": s(pk), "GSI1SK": s(sk)},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// handlerCall posts a base64-encoded account body straight to the handler.
func (h *harness) handlerCall(t *testing.T, b64 string) int {
	t.Helper()
	ev := apiEvent("POST", "/v1/cloudaccounts", b64, acmeAdmin)
	ev.IsBase64Encoded = true
	resp, err := h.handler.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// apiEvent is a minimal API Gateway v2 event routed by method and path.
func apiEvent(method, path, body string, claims map[string]string) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path, Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "api-req-b64",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	return ev
}
