package launcher

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	sfnapi "github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/clusterforge/clusterforge/local/admin"
	"github.com/clusterforge/clusterforge/local/apigw"
	"github.com/clusterforge/clusterforge/local/auth"
	"github.com/clusterforge/clusterforge/local/lambdarun"
	localsched "github.com/clusterforge/clusterforge/local/scheduler"
	"github.com/clusterforge/clusterforge/local/sfn"
	"github.com/clusterforge/clusterforge/shared/api"
	"github.com/clusterforge/clusterforge/shared/store"
)

// Names of the platform resources the CDK app creates on real AWS.
const (
	TableName          = "clusterforge"
	SecretPrefix       = "clusterforge/"
	ScheduleGroup      = "clusterforge"
	APIFunction        = "api"
	lambdaExecRoleName = "clusterforge-lambda"
)

// platformConfig is an SDK config for the platform account's administrator,
// pointed at the front router.
func (c *Cloud) platformConfig(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx,
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.platform.AdminKey, c.platform.AdminSecret, "")),
		config.WithBaseEndpoint(c.contract.AWS),
	)
}

func (c *Cloud) startStepFunctions(ctx context.Context) error {
	logs, err := os.OpenFile(filepath.Join(c.opts.LogDir, "stepfunctions.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("step functions log: %w", err)
	}
	srv, err := sfn.Start(ctx, sfn.Options{
		Dir:             c.opts.SFNDir,
		AccountID:       PlatformAccountID,
		Region:          Region,
		LambdaEndpoint:  c.contract.AWS,
		AccessKeyID:     c.platform.AdminKey,
		SecretAccessKey: c.platform.AdminSecret,
		TimeScale:       c.opts.TimeScale,
		LogWriter:       logs,
	})
	if err != nil {
		return err
	}
	c.sfn = srv
	return nil
}

// serveStepFunctions forwards Step Functions calls, already authenticated
// and accounted by the router, to the Node interpreter.
func (c *Cloud) serveStepFunctions(w http.ResponseWriter, r *http.Request) {
	if c.sfn == nil {
		http.Error(w, "step functions not started", http.StatusServiceUnavailable)
		return
	}
	target, _ := url.Parse(c.sfn.URL())
	httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
}

func (c *Cloud) createPlatformResources(ctx context.Context) error {
	cfg, err := c.platformConfig(ctx)
	if err != nil {
		return err
	}
	if _, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, store.TableDefinition(TableName)); err != nil {
		return fmt.Errorf("create table %s: %w", TableName, err)
	}
	if _, err := scheduler.NewFromConfig(cfg).CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(ScheduleGroup)}); err != nil {
		return fmt.Errorf("create schedule group: %w", err)
	}
	return nil
}

// functionARN is the ARN the platform account gives a function name.
func functionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, PlatformAccountID, name)
}

func stateMachineARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", Region, PlatformAccountID, name)
}

// functionEnv is the environment every function gets, as the CDK app sets it.
func (c *Cloud) functionEnv() map[string]string {
	return map[string]string{
		"TABLE_NAME":                              TableName,
		"SECRET_PREFIX":                           SecretPrefix,
		"PLATFORM_ACCOUNT_ID":                     PlatformAccountID,
		"PROVISION_STATE_MACHINE_ARN":             stateMachineARN("provision-cluster"),
		"DELETE_STATE_MACHINE_ARN":                stateMachineARN("delete-cluster"),
		"UPDATE_NODEPOOL_STATE_MACHINE_ARN":       stateMachineARN("update-nodepool"),
		"PROVISION_EKS_STATE_MACHINE_ARN":         stateMachineARN("provision-eks"),
		"DELETE_EKS_STATE_MACHINE_ARN":            stateMachineARN("delete-eks"),
		"UPDATE_EKS_NODEGROUPS_STATE_MACHINE_ARN": stateMachineARN("update-eks-nodegroups"),
		"SCHEDULE_GROUP":                          ScheduleGroup,
		"SCHEDULER_ROLE_ARN":                      fmt.Sprintf("arn:aws:iam::%s:role/clusterforge-scheduler", PlatformAccountID),
		"FORCE_DELETE_UNLOCK_ARN":                 functionARN("forcedelete-unlock"),
		"FORCE_DELETE_DELAY":                      c.opts.ForceDeleteDelay.String(),
		"LOG_LEVEL":                               "info",
		// Wait-loop deadlines are wall-clock; AWS time runs faster here.
		"WAIT_DEADLINE_SCALE": strconv.FormatFloat(c.opts.TimeScale, 'f', -1, 64),
	}
}

func (c *Cloud) startFunctions(ctx context.Context) error {
	entries, err := os.ReadDir(c.opts.FunctionsDir)
	if err != nil {
		return fmt.Errorf("read functions dir %s (run `make build`): %w", c.opts.FunctionsDir, err)
	}
	var fns []lambdarun.Function
	for _, e := range entries {
		bin := filepath.Join(c.opts.FunctionsDir, e.Name(), "bootstrap")
		if _, err := os.Stat(bin); err != nil {
			continue
		}
		fns = append(fns, lambdarun.Function{
			Name: e.Name(), Binary: bin, Env: c.functionEnv(),
			Concurrency: c.opts.Concurrency, TimeoutSeconds: 60, MemoryMB: 256,
		})
	}
	if len(fns) == 0 {
		return fmt.Errorf("no function binaries in %s (run `make build`)", c.opts.FunctionsDir)
	}
	cfg, err := c.platformConfig(ctx)
	if err != nil {
		return err
	}
	runner, err := lambdarun.Start(ctx, lambdarun.Options{
		LambdaClient:    lambda.NewFromConfig(cfg),
		RuntimeURL:      c.platform.KumoURL,
		Region:          Region,
		RoleARN:         fmt.Sprintf("arn:aws:iam::%s:role/%s", PlatformAccountID, lambdaExecRoleName),
		AWSEndpointURL:  c.contract.AWS,
		AccessKeyID:     c.platform.AdminKey,
		SecretAccessKey: c.platform.AdminSecret,
		LogDir:          c.opts.LogDir,
	}, fns...)
	if err != nil {
		return err
	}
	c.runner = runner
	return nil
}

var functionPlaceholder = regexp.MustCompile(`\$\{(\w+)FunctionArn\}`)

// definition substitutes ${NameFunctionArn} with the function's ARN, as the
// CDK app does with DefinitionSubstitutions.
func definition(asl string) string {
	return functionPlaceholder.ReplaceAllStringFunc(asl, func(m string) string {
		name := functionPlaceholder.FindStringSubmatch(m)[1]
		return functionARN(FunctionName(name))
	})
}

// FunctionName maps an ASL placeholder (NetworkFunctionArn → Network) to the
// function's name (network; ForceDeleteUnlock → forcedelete-unlock).
func FunctionName(placeholder string) string {
	if placeholder == "ForceDeleteUnlock" {
		return "forcedelete-unlock"
	}
	return strings.ToLower(placeholder)
}

func (c *Cloud) createStateMachines(ctx context.Context) error {
	files, err := filepath.Glob(filepath.Join(c.opts.StateMachinesDir, "*.asl.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	cfg, err := c.platformConfig(ctx)
	if err != nil {
		return err
	}
	client := sfnapi.NewFromConfig(cfg)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(f), ".asl.json")
		_, err = client.CreateStateMachine(ctx, &sfnapi.CreateStateMachineInput{
			Name:       aws.String(name),
			Definition: aws.String(definition(string(raw))),
			RoleArn:    aws.String(fmt.Sprintf("arn:aws:iam::%s:role/clusterforge-states", PlatformAccountID)),
		})
		if err != nil {
			return fmt.Errorf("create state machine %s: %w", name, err)
		}
	}
	return nil
}

func (c *Cloud) startScheduler(ctx context.Context) error {
	cfg, err := c.platformConfig(ctx)
	if err != nil {
		return err
	}
	d, err := localsched.Start(ctx, localsched.Options{
		SchedulerClient: scheduler.NewFromConfig(cfg),
		LambdaClient:    lambda.NewFromConfig(cfg),
		Interval:        200 * time.Millisecond,
		Logf:            func(f string, a ...any) { c.log.Info(fmt.Sprintf(f, a...), "part", "scheduler") },
	})
	if err != nil {
		return err
	}
	c.scheduler = d
	return nil
}

func (c *Cloud) startFrontDoors(ctx context.Context) error {
	issuer, err := auth.New()
	if err != nil {
		return err
	}
	gw, err := apigw.New(apigw.Config{
		Invoker: apigw.NewLambdaClient(apigw.LambdaEndpoint{
			URL: c.contract.AWS, Region: Region,
			AccessKeyID: c.platform.AdminKey, SecretAccessKey: c.platform.AdminSecret,
		}),
		FunctionName: APIFunction,
		Routes:       api.Routes(),
		PublicRoutes: []string{"GET /v1/openapi.json"},
		Verifier:     issuer,
		StaticDir:    c.opts.StaticDir,
		AccountID:    PlatformAccountID,
		Logger:       c.log,
	})
	if err != nil {
		return err
	}
	if c.contract.API, err = c.serve(c.opts.APIAddr, gw); err != nil {
		return err
	}
	mux, err := admin.New(admin.Config{Auth: issuer, Extra: c.adminHandlers()})
	if err != nil {
		return err
	}
	if c.contract.Admin, err = c.serve(c.opts.AdminAddr, mux); err != nil {
		return err
	}
	return c.waitForAPI(ctx)
}

// waitForAPI returns once the api Lambda answers through the gateway, so the
// contract line is printed only when the service is usable.
func (c *Cloud) waitForAPI(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.contract.API + "/v1/openapi.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("api did not answer within 30s (last: %v)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
