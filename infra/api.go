package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/clusterforge/clusterforge/shared/api"
)

// newHTTPAPI is the service's front door: one route per operation of
// api.Routes() (the handler's own routing table, which the local gateway
// registers too), all to the api Lambda, JWT-authorized except the OpenAPI
// document.
func newHTTPAPI(p *platform) awsapigatewayv2.HttpApi {
	issuer := awscdk.NewCfnParameter(p.stack, jsii.String("JwtIssuer"), &awscdk.CfnParameterProps{
		Type:           jsii.String("String"),
		Description:    jsii.String("OIDC issuer URL of the identity provider whose JWTs carry tenant, project and role"),
		AllowedPattern: jsii.String("^https://.+"),
	})
	audience := awscdk.NewCfnParameter(p.stack, jsii.String("JwtAudience"), &awscdk.CfnParameterProps{
		Type:        jsii.String("CommaDelimitedList"),
		Description: jsii.String("Accepted aud claims (client ids), comma separated"),
	})
	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("JwtAuthorizer"), issuer.ValueAsString(),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience:    audience.ValueAsList(),
			IdentitySource: jsii.Strings("$request.header.Authorization"),
		})
	httpAPI := awsapigatewayv2.NewHttpApi(p.stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:     jsii.String(p.cfg.Prefix),
		Description: jsii.String("ClusterForge API (shared/api/openapi.yaml)"),
	})
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("ApiIntegration"), p.functions["api"], nil)
	for _, key := range api.Routes() {
		method, path, ok := strings.Cut(key, " ")
		if !ok {
			panic(fmt.Sprintf("route key %q is not \"METHOD /path\"", key))
		}
		var auth awsapigatewayv2.IHttpRouteAuthorizer = authorizer
		if api.IsPublic(key) {
			auth = awsapigatewayv2.NewHttpNoneAuthorizer()
		}
		routes := httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(method)},
			Integration: integration,
			Authorizer:  auth,
		})
		if api.IsPublic(key) {
			for _, r := range *routes {
				suppress(r, "AwsSolutions-APIG4", key+" is public by design: the OpenAPI document lets clients and "+
					"tools discover the API before they hold a token; it carries no tenant data")
			}
		}
	}
	configureStage(p, httpAPI)
	awscdk.NewCfnOutput(p.stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: httpAPI.ApiEndpoint()})
	return httpAPI
}

// configureStage adds access logs and a throttle to the $default stage
// through its CloudFormation resource (the L2 stage takes neither here).
func configureStage(p *platform, httpAPI awsapigatewayv2.HttpApi) {
	logs := awslogs.NewLogGroup(p.stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     logRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	format, err := json.Marshal(map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
		"requestTime": "$context.requestTime", "routeKey": "$context.routeKey",
		"status": "$context.status", "latency": "$context.responseLatency",
		"integrationError": "$context.integrationErrorMessage",
		"authorizerError":  "$context.authorizer.error",
		"tenant":           "$context.authorizer.claims.tenant",
	})
	if err != nil {
		panic(err)
	}
	stage := httpAPI.DefaultStage().Node().DefaultChild().(awsapigatewayv2.CfnStage)
	stage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(string(format)),
	})
	// A ceiling for the whole API; per-tenant fairness is the service's job.
	stage.SetDefaultRouteSettings(&awsapigatewayv2.CfnStage_RouteSettingsProperty{
		ThrottlingBurstLimit: jsii.Number(200),
		ThrottlingRateLimit:  jsii.Number(100),
	})
}
