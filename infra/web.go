package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// The web console (web/, a React single-page app) is served from a private
// S3 bucket through CloudFront, and the same distribution forwards /v1/* to
// the HTTP API: the console and the API share one origin, so the browser
// needs no CORS and the bearer token never leaves that origin.

// apiPathPattern is the API's behavior: every route of api.Routes() is
// under /v1.
const apiPathPattern = "/v1/*"

// consoleCSP is the console's Content-Security-Policy; local/apigw's
// ConsoleCSP is the same policy for `make local` (where connect-src 'self'
// is the API). connect-src also names the API's own endpoint, so a console
// build pointed at it directly keeps working.
func consoleCSP(apiEndpoint *string) *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"font-src 'self'; connect-src 'self' "),
		apiEndpoint,
		jsii.String("; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
	})
}

// spaRoutes rewrites client-side routes (/clusters/c-1, /login: a last
// path segment without a dot) to /index.html on the viewer request, so
// deep links and reloads load the app. A rewrite, not custom error
// responses: those apply to every behavior and would turn the API's own
// 403 and 404 answers under /v1/* into index.html with 200. local/apigw
// applies the same rule. Missing assets (/assets/x.js) stay errors.
const spaRoutes = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`

// Cache lifetimes: Vite names every file under assets/ by its content
// hash, so they never change; index.html names the current hashes and must
// be revalidated on every load so a deployment takes effect at once.
const (
	assetsDir          = "assets"
	assetsCacheControl = "public, max-age=31536000, immutable"
	indexCacheControl  = "public, max-age=0, must-revalidate"
)

// webConsole is what the tests and the outputs refer to.
type webConsole struct {
	site, logs   awss3.Bucket
	distribution awscloudfront.Distribution
	deployed     bool // the build was found and is uploaded by BucketDeployment
}

func newWebConsole(p *platform, httpAPI awsapigatewayv2.HttpApi) *webConsole {
	scope := constructs.NewConstruct(p.stack, jsii.String("WebConsole"))
	w := &webConsole{}
	w.logs = newLogBucket(scope)
	w.site = awss3.NewBucket(scope, jsii.String("Site"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ServerAccessLogsBucket: w.logs,
		ServerAccessLogsPrefix: jsii.String("s3/"),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			// Old builds' objects stay restorable for a month.
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
	})
	w.distribution = newDistribution(p, scope, w, httpAPI)
	w.deployed = deployConsole(p, scope, w)

	url := jsii.String("https://" + *w.distribution.DistributionDomainName())
	if p.cfg.WebDomain != "" {
		url = jsii.String("https://" + p.cfg.WebDomain)
	}
	awscdk.NewCfnOutput(p.stack, jsii.String("ConsoleUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("The web console; its /v1/* is the API"),
		Value:       url,
	})
	return w
}

// newLogBucket holds the site bucket's S3 access logs and CloudFront's
// standard logs (which are written with ACLs, hence BUCKET_OWNER_PREFERRED).
func newLogBucket(scope constructs.Construct) awss3.Bucket {
	logs := awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration: awscdk.Duration_Days(jsii.Number(logRetentionDays)),
		}},
	})
	return logs
}

// logRetentionDays matches logRetention (three months) for the log bucket.
const logRetentionDays = 90

func newDistribution(p *platform, scope constructs.Construct, w *webConsole, httpAPI awsapigatewayv2.HttpApi) awscloudfront.Distribution {
	headers := awscloudfront.NewResponseHeadersPolicy(scope, jsii.String("SecurityHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("ClusterForge console: HSTS, CSP (self + the API), no framing, nosniff"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: consoleCSP(httpAPI.ApiEndpoint()),
				Override:              jsii.Bool(true),
			},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override: jsii.Bool(true),
			},
		},
	})
	spa := awscloudfront.NewFunction(scope, jsii.String("SpaRoutes"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Client-side routes of the console load index.html"),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(spaRoutes)),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
	})
	// The HTTP API's default endpoint, https://<id>.execute-api.<region>.<suffix>.
	apiHost := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), httpAPI.ApiEndpoint(), nil))
	apiOrigin := awscloudfrontorigins.NewHttpOrigin(apiHost, &awscloudfrontorigins.HttpOriginProps{
		ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
		OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
	})

	props := &awscloudfront.DistributionProps{
		Comment:           jsii.String(p.cfg.Prefix + " web console and API"),
		DefaultRootObject: jsii.String("index.html"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(w.site, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: headers,
			Compress:              jsii.Bool(true),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function: spa, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			}},
		},
		AdditionalBehaviors: &map[string]*awscloudfront.BehaviorOptions{
			// The API: nothing cached (answers are per user and token), every
			// viewer header but Host forwarded (Authorization for the JWT
			// authorizer, Idempotency-Key, If-Match); API Gateway needs its
			// own Host. HTTPS only: a redirected POST would lose its body.
			apiPathPattern: {
				Origin:                apiOrigin,
				ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
				AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_ALL(),
				CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
				OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
				ResponseHeadersPolicy: headers,
			},
		},
		MinimumProtocolVersion: awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021,
		HttpVersion:            awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:             awscloudfront.PriceClass_PRICE_CLASS_100,
		EnableLogging:          jsii.Bool(true),
		LogBucket:              w.logs,
		LogFilePrefix:          jsii.String("cloudfront/"),
	}
	if p.cfg.WebDomain != "" {
		props.DomainNames = jsii.Strings(p.cfg.WebDomain)
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(scope, jsii.String("Certificate"),
			jsii.String(p.cfg.WebCertificateARN))
	}
	dist := awscloudfront.NewDistribution(scope, jsii.String("Distribution"), props)

	if p.cfg.WebDomain == "" {
		suppress(dist, "AwsSolutions-CFR4", "no console domain is configured (CLUSTERFORGE_WEB_DOMAIN), so the "+
			"distribution uses the *.cloudfront.net certificate, for which CloudFront fixes the TLS policy; with a "+
			"domain and its ACM certificate the minimum is TLSv1.2_2021")
	}
	suppress(dist, "AwsSolutions-CFR1", "the console serves customers wherever they are; access is controlled by "+
		"the JWT on every API call, not by the viewer's country")
	suppress(dist, "AwsSolutions-CFR2", "the distribution serves static files and forwards /v1/* to the HTTP API, "+
		"which throttles per stage and authorizes every route with JWTs; a CloudFront WAF web ACL must live in "+
		"us-east-1 and is the operator's to attach")
	return dist
}

// deployConsole uploads the console build when it exists: hashed assets
// cached for a year, the rest (index.html) revalidated on every load. Old
// assets are not pruned so an open tab of the previous build still loads
// its chunks (versioning and the lifecycle rule bound what accumulates).
func deployConsole(p *platform, scope constructs.Construct, w *webConsole) bool {
	dir := p.cfg.WebDir
	if dir == "" {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		fmt.Fprintf(os.Stderr, "infra: warning: no web console build at %s (run `make web`): the bucket and "+
			"distribution are synthesized without their content\n", dir)
		return false
	}
	logs := awslogs.NewLogGroup(scope, jsii.String("DeployLogs"), &awslogs.LogGroupProps{
		Retention:     logRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	var deployments []awss3deployment.BucketDeployment
	if _, err := os.Stat(filepath.Join(dir, assetsDir)); err == nil {
		deployments = append(deployments, awss3deployment.NewBucketDeployment(scope, jsii.String("DeployAssets"), &awss3deployment.BucketDeploymentProps{
			Sources:              &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(filepath.Join(dir, assetsDir)), nil)},
			DestinationBucket:    w.site,
			DestinationKeyPrefix: jsii.String(assetsDir + "/"),
			CacheControl:         &[]awss3deployment.CacheControl{awss3deployment.CacheControl_FromString(jsii.String(assetsCacheControl))},
			Prune:                jsii.Bool(false),
			LogGroup:             logs,
		}))
	}
	deployments = append(deployments, awss3deployment.NewBucketDeployment(scope, jsii.String("DeployIndex"), &awss3deployment.BucketDeploymentProps{
		Sources: &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(dir), &awss3assets.AssetOptions{
			Exclude: jsii.Strings(assetsDir),
		})},
		DestinationBucket: w.site,
		CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_FromString(jsii.String(indexCacheControl))},
		Prune:             jsii.Bool(false),
		LogGroup:          logs,
	}))
	// The index names the assets: upload it after them.
	if len(deployments) == 2 {
		deployments[1].Node().AddDependency(deployments[0])
	}
	suppressDeploymentHandler(p.stack, w.site)
	return true
}

// suppressDeploymentHandler explains the findings on the Lambda CDK adds
// (once per stack) to copy assets into the bucket, naming each wildcard so
// any other one is still reported.
func suppressDeploymentHandler(stack awscdk.Stack, site awss3.Bucket) {
	siteID := *stack.GetLogicalId(site.Node().DefaultChild().(awscdk.CfnElement))
	for _, child := range *stack.Node().Children() {
		c := child.(constructs.IConstruct)
		if !strings.HasPrefix(*c.Node().Id(), "Custom::CDKBucketDeployment") {
			continue
		}
		suppress(c, "AwsSolutions-IAM4", "CDK's BucketDeployment handler uses AWSLambdaBasicExecutionRole for its "+
			"own CloudWatch Logs; it runs only during deployments",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
		suppress(c, "AwsSolutions-IAM5", "CDK's BucketDeployment handler reads the console's build from the CDK "+
			"asset bucket and syncs it into the console bucket; the object wildcards are those two buckets' "+
			"objects and the action wildcards CDK's read/write grants on them",
			"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*",
			"Action::s3:Abort*", "Resource::<"+siteID+".Arn>/*",
			"Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*")
		suppress(c, "AwsSolutions-L1", "CDK's BucketDeployment handler pins its runtime with the CDK version; it "+
			"runs only during deployments and is updated by upgrading aws-cdk-lib")
	}
}
