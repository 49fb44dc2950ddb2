package router

import (
	"net/http"

	"github.com/clusterforge/clusterforge/local/accounts"
	"github.com/clusterforge/clusterforge/local/awsproto"
	"github.com/clusterforge/clusterforge/local/iammirror"
)

// dispatch hands an authorized call to the emulator that owns it.
func (rt *Router) dispatch(w http.ResponseWriter, req *request) {
	call := req.call
	switch call.Service {
	case "sts":
		rt.sts.Handle(w, call, req.principal, req.form)
	case "ec2":
		rt.serveAccountHandler(w, req, rt.cfg.EC2)
	case "servicequotas":
		rt.serveAccountHandler(w, req, rt.cfg.ServiceQuotas)
	case "eks":
		if rt.cfg.EKS == nil {
			rt.forwardToKumo(w, req, nil)
			return
		}
		rt.serveAccountHandler(w, req, rt.cfg.EKS)
	case "states":
		rt.serveStepFunctions(w, req)
	case "iam":
		rt.serveIAM(w, req)
	case "elasticloadbalancing":
		rt.serveELB(w, req)
	default:
		rt.forwardToKumo(w, req, nil)
	}
}

func notWired(call awsproto.Call) error {
	return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "%s is not served by this local cloud", call.Service)
}

func (rt *Router) serveAccountHandler(w http.ResponseWriter, req *request, handlerFor func(string) http.Handler) {
	if handlerFor == nil {
		awsproto.WriteError(w, req.call, notWired(req.call))
		return
	}
	h := handlerFor(req.account.ID)
	if h == nil {
		awsproto.WriteError(w, req.call, notWired(req.call))
		return
	}
	h.ServeHTTP(w, req.freshBody())
}

func (rt *Router) serveStepFunctions(w http.ResponseWriter, req *request) {
	if rt.cfg.StepFunctions == nil {
		awsproto.WriteError(w, req.call, notWired(req.call))
		return
	}
	if rt.cfg.PlatformAccountID != "" && req.account.ID != rt.cfg.PlatformAccountID {
		awsproto.WriteError(w, req.call, awsproto.Errorf(http.StatusBadRequest, "AccessDeniedException",
			"Step Functions is emulated for the platform account %s only", rt.cfg.PlatformAccountID))
		return
	}
	rt.cfg.StepFunctions.ServeHTTP(w, req.freshBody())
}

// serveIAM answers from the mirror what kumo lacks, and otherwise forwards
// to kumo and mirrors what kumo accepted. Access keys kumo creates become
// usable credentials of their user.
func (rt *Router) serveIAM(w http.ResponseWriter, req *request) {
	acct, action := req.account.ID, req.call.Action
	if iammirror.Handles(action, req.form) {
		resp, err := rt.cfg.IAM.Serve(acct, action, req.form, req.call.RequestID)
		if err != nil {
			awsproto.WriteError(w, req.call, err)
			return
		}
		awsproto.WriteXML(w, resp)
		return
	}
	if err := rt.cfg.IAM.Refuse(acct, action, req.form); err != nil {
		awsproto.WriteError(w, req.call, err)
		return
	}
	rt.forwardToKumo(w, req, func(body []byte) {
		rt.cfg.IAM.Observe(acct, action, req.form, body)
		switch action {
		case "CreateAccessKey":
			rt.registerUserKey(acct, body)
		case "DeleteAccessKey":
			rt.cfg.Accounts.RemoveCredential(req.form.Get("AccessKeyId"))
		}
	})
}

func (rt *Router) registerUserKey(accountID string, body []byte) {
	keyID, secret := awsproto.XMLText(body, "AccessKeyId"), awsproto.XMLText(body, "SecretAccessKey")
	user := awsproto.XMLText(body, "UserName")
	if keyID == "" || secret == "" || user == "" {
		return
	}
	rt.cfg.Accounts.AddCredential(accounts.Credential{
		AccessKeyID:     keyID,
		SecretAccessKey: secret,
		Principal: accounts.Principal{AccountID: accountID, ARN: rt.cfg.IAM.UserARN(accountID, user),
			Kind: accounts.KindUser, UserName: user},
	})
}

// serveELB overlays target health on kumo's ELBv2.
func (rt *Router) serveELB(w http.ResponseWriter, req *request) {
	health := rt.cfg.Health
	if health == nil {
		rt.forwardToKumo(w, req, nil)
		return
	}
	if req.call.Action == "DescribeTargetHealth" {
		health.Serve(w, req.call, req.account.ID, req.form)
		return
	}
	rt.forwardToKumo(w, req, func(body []byte) {
		health.Observe(req.account.ID, req.call.Action, req.form, body)
	})
}

// writeBackendError answers a failure to reach an emulator as a 5xx the
// SDKs retry, like an AWS endpoint that is briefly unavailable.
func writeBackendError(w http.ResponseWriter, req *request, err error) {
	code := "ServiceUnavailable"
	if req.call.Protocol == awsproto.ProtocolEC2Query {
		code = "Unavailable"
	}
	awsproto.WriteError(w, req.call, awsproto.Errorf(http.StatusServiceUnavailable, code, "%v", err))
}
