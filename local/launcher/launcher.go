// Package launcher assembles the local cloud: one kumo process per simulated
// AWS account behind the front router, the project's EC2 emulator, Step
// Functions on aws-local-stepfunctions, the real Lambda binaries under the
// Runtime API, the scheduler dispatcher, the local API gateway and the admin
// endpoint. cmd/localcloud runs it; `make local` runs cmd/localcloud.
package launcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/calls"
	"github.com/clusterforge/clusterforge/local/ec2"
	"github.com/clusterforge/clusterforge/local/ec2/catalog"
	"github.com/clusterforge/clusterforge/local/eks"
	"github.com/clusterforge/clusterforge/local/elbhealth"
	"github.com/clusterforge/clusterforge/local/faults"
	"github.com/clusterforge/clusterforge/local/iammirror"
	"github.com/clusterforge/clusterforge/local/kumoproc"
	"github.com/clusterforge/clusterforge/local/lambdarun"
	"github.com/clusterforge/clusterforge/local/latency"
	"github.com/clusterforge/clusterforge/local/ratelimit"
	"github.com/clusterforge/clusterforge/local/router"
	"github.com/clusterforge/clusterforge/local/scheduler"
	"github.com/clusterforge/clusterforge/local/sfn"
)

// Simulated account ids (see local/CONTRACTS.md).
const (
	PlatformAccountID = "111111111111"
	CustomerAccountID = "222222222222"
	Region            = "us-east-1"
)

// Options configure one local cloud.
type Options struct {
	Exe              string // this binary, re-executed as kumo account processes
	FunctionsDir     string // bin/functions: <name>/bootstrap
	StateMachinesDir string // statemachines/*.asl.json
	SFNDir           string // local/sfn with node_modules
	StaticDir        string // optional web console build served at /
	LogDir           string
	TimeScale        float64 // wall seconds per AWS second
	AWSAddr          string  // listen addresses; ":0"-style for a free port
	APIAddr          string
	AdminAddr        string
	Concurrency      int // processes per task function
	ForceDeleteDelay time.Duration
	RateLimits       bool
	Log              io.Writer // launcher diagnostics (stderr)
}

// Contract is the first stdout line of `make local`.
type Contract struct {
	API      string   `json:"api"`
	AWS      string   `json:"aws"`
	Admin    string   `json:"admin"`
	Customer Customer `json:"customer"`
}

// Customer is the simulated customer account with administrator keys.
type Customer struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Cloud is a running local cloud.
type Cloud struct {
	opts     Options
	log      *slog.Logger
	Latency  *latency.Model
	Accounts *accounts.Registry
	Catalog  *catalog.Catalog
	Faults   *faults.Injector
	Calls    *calls.Recorder
	Limits   *ratelimit.Limiter
	Health   *elbhealth.Tracker
	IAM      *iammirror.Mirror

	ec2mu sync.Mutex
	ec2   map[string]*ec2.Service
	eks   map[string]*eks.Service

	kumos     []*kumoproc.Process
	sfn       *sfn.Server
	runner    *lambdarun.Runner
	scheduler *scheduler.Dispatcher
	servers   []*http.Server

	platform accounts.Account
	customer accounts.Account
	contract Contract
}

// Start brings every part up and returns once the service answers.
func Start(ctx context.Context, opts Options) (c *Cloud, err error) {
	if opts.TimeScale <= 0 {
		opts.TimeScale = 0.05
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.ForceDeleteDelay <= 0 {
		opts.ForceDeleteDelay = 15 * time.Minute
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.LogDir == "" {
		opts.LogDir = filepath.Join(os.TempDir(), "localcloud-logs")
	}
	if err := os.MkdirAll(opts.LogDir, 0o755); err != nil {
		return nil, fmt.Errorf("log dir: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(opts.LogDir, "localcloud.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open launcher log: %w", err)
	}
	c = &Cloud{
		opts:     opts,
		log:      slog.New(slog.NewJSONHandler(io.MultiWriter(opts.Log, logFile), nil)),
		Latency:  latency.New(opts.TimeScale),
		Accounts: accounts.NewRegistry(),
		Catalog:  catalog.New(),
		Faults:   faults.New(),
		Calls:    calls.New(),
		Limits:   ratelimit.New(),
		IAM:      iammirror.New(),
		ec2:      map[string]*ec2.Service{},
		eks:      map[string]*eks.Service{},
	}
	c.Limits.SetEnabled(opts.RateLimits)
	c.Limits.SetTimeScale(opts.TimeScale)
	c.Health = elbhealth.New(c.Latency, c)
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()

	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"accounts", c.startAccounts},
		{"aws endpoint", c.startRouter},
		{"step functions", c.startStepFunctions},
		{"platform resources", c.createPlatformResources},
		{"lambda functions", c.startFunctions},
		{"state machines", c.createStateMachines},
		{"scheduler", c.startScheduler},
		{"api gateway and admin", c.startFrontDoors},
	}
	for _, s := range steps {
		t0 := time.Now()
		if err := s.run(ctx); err != nil {
			return c, fmt.Errorf("start %s: %w", s.name, err)
		}
		c.log.Info("started", "part", s.name, "ms", time.Since(t0).Milliseconds())
	}
	return c, nil
}

// Contract returns the endpoints and the customer's administrator keys.
func (c *Cloud) Contract() Contract { return c.contract }

// Stop ends every process and server the cloud started.
func (c *Cloud) Stop() {
	for _, s := range c.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Shutdown(ctx)
		cancel()
	}
	if c.scheduler != nil {
		c.scheduler.Stop()
	}
	if c.runner != nil {
		c.runner.Stop()
	}
	if c.sfn != nil {
		c.sfn.Stop()
	}
	for _, k := range c.kumos {
		k.Stop()
	}
}

// EC2 returns the account's EC2 emulator, creating it on first use.
func (c *Cloud) EC2(accountID string) *ec2.Service {
	c.ec2mu.Lock()
	defer c.ec2mu.Unlock()
	s, ok := c.ec2[accountID]
	if !ok {
		s = ec2.New(ec2.Config{AccountID: accountID, Latency: c.Latency, Catalog: c.Catalog})
		c.ec2[accountID] = s
	}
	return s
}

// EKS returns the account's EKS emulator, creating it on first use. It
// works on the account's EC2 and checks roles against the IAM mirror.
func (c *Cloud) EKS(accountID string) *eks.Service {
	network := c.EC2(accountID)
	c.ec2mu.Lock()
	defer c.ec2mu.Unlock()
	s, ok := c.eks[accountID]
	if !ok {
		s = eks.New(eks.Config{AccountID: accountID, Latency: c.Latency, Network: network, Roles: c.roleTrust})
		c.eks[accountID] = s
	}
	return s
}

func (c *Cloud) roleTrust(accountID, roleName string) (string, bool) {
	r, ok := c.IAM.Role(accountID, roleName)
	return r.TrustPolicy, ok
}

// InstanceState lets target health follow the instances' EC2 state.
func (c *Cloud) InstanceState(accountID, region, instanceID string) string {
	return c.EC2(accountID).InstanceState(region, instanceID)
}

func (c *Cloud) startAccounts(ctx context.Context) error {
	for _, a := range []struct{ id, name string }{{PlatformAccountID, "platform"}, {CustomerAccountID, "customer"}} {
		if _, err := c.AddAccount(ctx, a.id, a.name); err != nil {
			return err
		}
	}
	c.platform, _ = c.Accounts.Account(PlatformAccountID)
	c.customer, _ = c.Accounts.Account(CustomerAccountID)
	return nil
}

// AddAccount starts a kumo process for a new simulated account and gives it
// administrator keys.
func (c *Cloud) AddAccount(ctx context.Context, id, name string) (accounts.Account, error) {
	logs, err := os.OpenFile(filepath.Join(c.opts.LogDir, "kumo-"+id+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return accounts.Account{}, fmt.Errorf("kumo log: %w", err)
	}
	p, err := kumoproc.Start(ctx, c.opts.Exe, id, logs)
	if err != nil {
		return accounts.Account{}, err
	}
	c.kumos = append(c.kumos, p)
	return c.Accounts.Add(accounts.Account{
		ID: id, Name: name, KumoURL: p.URL,
		AdminKey:    accounts.NewAccessKeyID(accounts.LongTermKeyPrefix),
		AdminSecret: accounts.NewSecretAccessKey(),
	})
}

func (c *Cloud) startRouter(ctx context.Context) error {
	rt := router.New(router.Config{
		Accounts:          c.Accounts,
		EC2:               func(id string) http.Handler { return c.EC2(id) },
		ServiceQuotas:     func(id string) http.Handler { return http.HandlerFunc(c.EC2(id).ServeServiceQuotas) },
		EKS:               func(id string) http.Handler { return c.EKS(id) },
		IAM:               c.IAM,
		StepFunctions:     http.HandlerFunc(c.serveStepFunctions),
		PlatformAccountID: PlatformAccountID,
		Faults:            c.Faults,
		Limits:            c.Limits,
		Calls:             c.Calls,
		Health:            c.Health,
		Latency:           c.Latency,
		OnCrash: func(appID string) {
			if c.runner != nil && c.runner.Kill(appID) {
				c.log.Warn("fault injection killed a Lambda process", "appId", appID)
			}
		},
	})
	url, err := c.serve(c.opts.AWSAddr, rt)
	if err != nil {
		return err
	}
	c.contract.AWS = url
	c.contract.Customer = Customer{AccountID: c.customer.ID, AccessKeyID: c.customer.AdminKey, SecretAccessKey: c.customer.AdminSecret}
	return nil
}

// serve listens on addr and serves h until Stop; it returns the base URL.
func (c *Cloud) serve(addr string, h http.Handler) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	c.servers = append(c.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("server stopped", "addr", addr, "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}
