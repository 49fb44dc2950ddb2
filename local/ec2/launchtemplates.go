package ec2

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func init() {
	register(map[string]actionHandler{
		"CreateLaunchTemplate":           (*Service).createLaunchTemplate,
		"CreateLaunchTemplateVersion":    (*Service).createLaunchTemplateVersion,
		"DescribeLaunchTemplates":        (*Service).describeLaunchTemplates,
		"DescribeLaunchTemplateVersions": (*Service).describeLaunchTemplateVersions,
		"DeleteLaunchTemplate":           (*Service).deleteLaunchTemplate,
	})
}

// launchTemplateVersion keeps LaunchTemplateData in RunInstances' own
// parameter names (they coincide), so RunInstances merges it key by key.
type launchTemplateVersion struct {
	number      int
	description string
	data        url.Values
	created     time.Time
}

type launchTemplate struct {
	meta
	name           string
	defaultVersion int
	versions       []launchTemplateVersion
}

func (s *Service) createLaunchTemplate(w http.ResponseWriter, r *request) error {
	name, err := required(r.form, "LaunchTemplateName")
	if err != nil {
		return err
	}
	for _, lt := range inRegion(s.launchTemplates, r.region()) {
		if lt.name == name {
			return errBadRequest("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
		}
	}
	lt := &launchTemplate{meta: s.newMeta("lt", r), name: name, defaultVersion: 1}
	lt.versions = []launchTemplateVersion{{1, r.form.Get("VersionDescription"), subStruct(r.form, "LaunchTemplateData"), r.now}}
	if err := s.tagOnCreate(r, "launch-template", lt.id); err != nil {
		return err
	}
	s.launchTemplates[lt.id] = lt
	return respond(w, r, struct {
		LaunchTemplate launchTemplateXML `xml:"launchTemplate"`
	}{s.launchTemplateXML(lt)})
}

// templateFromForm resolves <prefix>LaunchTemplateId or <prefix>LaunchTemplateName.
func (s *Service) templateFromForm(r *request, prefix string) (*launchTemplate, error) {
	if id := r.form.Get(prefix + "LaunchTemplateId"); id != "" {
		return lookup(s.launchTemplates, r, id, func(id string) error {
			return errBadRequest("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
		})
	}
	name := r.form.Get(prefix + "LaunchTemplateName")
	for _, lt := range inRegion(s.launchTemplates, r.region()) {
		if lt.name == name {
			return lt, nil
		}
	}
	return nil, errBadRequest("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
}

// version resolves $Latest, $Default or a number.
func (lt *launchTemplate) version(ref string) (launchTemplateVersion, error) {
	n := lt.defaultVersion
	switch ref {
	case "", "$Default":
	case "$Latest":
		n = len(lt.versions)
	default:
		var err error
		if n, err = strconv.Atoi(ref); err != nil || n < 1 || n > len(lt.versions) {
			return launchTemplateVersion{}, errBadRequest("InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s", ref, lt.id)
		}
	}
	return lt.versions[n-1], nil
}

func (s *Service) createLaunchTemplateVersion(w http.ResponseWriter, r *request) error {
	lt, err := s.templateFromForm(r, "")
	if err != nil {
		return err
	}
	data := subStruct(r.form, "LaunchTemplateData")
	if src := r.form.Get("SourceVersion"); src != "" {
		base, err := lt.version(src)
		if err != nil {
			return err
		}
		data = mergeAbsent(data, base.data)
	}
	v := launchTemplateVersion{len(lt.versions) + 1, r.form.Get("VersionDescription"), data, r.now}
	lt.versions = append(lt.versions, v)
	return respond(w, r, struct {
		Version launchTemplateVersionXML `xml:"launchTemplateVersion"`
	}{s.launchTemplateVersionXML(lt, v)})
}

// mergeAbsent copies from base every parameter whose top-level name (before
// the first dot) dst does not set at all.
func mergeAbsent(dst, base url.Values) url.Values {
	set := map[string]bool{}
	for k := range dst {
		set[strings.SplitN(k, ".", 2)[0]] = true
	}
	for k, v := range base {
		if !set[strings.SplitN(k, ".", 2)[0]] {
			dst[k] = v
		}
	}
	return dst
}

// mergeLaunchTemplate fills RunInstances parameters from LaunchTemplate.*;
// explicit parameters win.
func (s *Service) mergeLaunchTemplate(r *request) error {
	if r.form.Get("LaunchTemplate.LaunchTemplateId") == "" && r.form.Get("LaunchTemplate.LaunchTemplateName") == "" {
		return nil
	}
	lt, err := s.templateFromForm(r, "LaunchTemplate.")
	if err != nil {
		return err
	}
	v, err := lt.version(r.form.Get("LaunchTemplate.Version"))
	if err != nil {
		return err
	}
	mergeAbsent(r.form, v.data)
	return nil
}

func (s *Service) deleteLaunchTemplate(w http.ResponseWriter, r *request) error {
	lt, err := s.templateFromForm(r, "")
	if err != nil {
		return err
	}
	forget(s, s.launchTemplates, lt.id)
	return respond(w, r, struct {
		LaunchTemplate launchTemplateXML `xml:"launchTemplate"`
	}{s.launchTemplateXML(lt)})
}

type launchTemplateXML struct {
	ID             string   `xml:"launchTemplateId"`
	Name           string   `xml:"launchTemplateName"`
	CreateTime     string   `xml:"createTime"`
	CreatedBy      string   `xml:"createdBy"`
	DefaultVersion int      `xml:"defaultVersionNumber"`
	LatestVersion  int      `xml:"latestVersionNumber"`
	Tags           []tagXML `xml:"tagSet>item"`
}

func (s *Service) launchTemplateXML(lt *launchTemplate) launchTemplateXML {
	return launchTemplateXML{lt.id, lt.name, isoTime(lt.created), fmt.Sprintf("arn:aws:iam::%s:root", s.cfg.AccountID),
		lt.defaultVersion, len(lt.versions), s.tagSet(lt.id)}
}

type launchTemplateDataXML struct {
	ImageID          string   `xml:"imageId,omitempty"`
	InstanceType     string   `xml:"instanceType,omitempty"`
	KeyName          string   `xml:"keyName,omitempty"`
	UserData         string   `xml:"userData,omitempty"`
	SecurityGroupIDs []string `xml:"securityGroupIdSet>item,omitempty"`
	IamProfileArn    string   `xml:"iamInstanceProfile>arn,omitempty"`
	IamProfileName   string   `xml:"iamInstanceProfile>name,omitempty"`
	MarketType       string   `xml:"instanceMarketOptions>marketType,omitempty"`
	SpotMaxPrice     string   `xml:"instanceMarketOptions>spotOptions>maxPrice,omitempty"`
}

type launchTemplateVersionXML struct {
	ID             string                `xml:"launchTemplateId"`
	Name           string                `xml:"launchTemplateName"`
	VersionNumber  int                   `xml:"versionNumber"`
	Description    string                `xml:"versionDescription,omitempty"`
	CreateTime     string                `xml:"createTime"`
	CreatedBy      string                `xml:"createdBy"`
	DefaultVersion bool                  `xml:"defaultVersion"`
	Data           launchTemplateDataXML `xml:"launchTemplateData"`
}

func (s *Service) launchTemplateVersionXML(lt *launchTemplate, v launchTemplateVersion) launchTemplateVersionXML {
	d := v.data
	return launchTemplateVersionXML{lt.id, lt.name, v.number, v.description, isoTime(v.created),
		fmt.Sprintf("arn:aws:iam::%s:root", s.cfg.AccountID), v.number == lt.defaultVersion,
		launchTemplateDataXML{d.Get("ImageId"), d.Get("InstanceType"), d.Get("KeyName"), d.Get("UserData"),
			listParam(d, "SecurityGroupId"), d.Get("IamInstanceProfile.Arn"), d.Get("IamInstanceProfile.Name"),
			d.Get("InstanceMarketOptions.MarketType"), d.Get("InstanceMarketOptions.SpotOptions.MaxPrice")}}
}

func (s *Service) launchTemplateAttr(lt *launchTemplate, name string) ([]string, bool) {
	switch name {
	case "launch-template-name":
		return one(lt.name), true
	case "create-time":
		return one(isoTime(lt.created)), true
	}
	return nil, false
}

func (s *Service) describeLaunchTemplates(w http.ResponseWriter, r *request) error {
	for i, name := range listParam(r.form, "LaunchTemplateName") {
		r.form.Set("LaunchTemplateName", name)
		lt, err := s.templateFromForm(r, "")
		if err != nil {
			return err
		}
		r.form.Set("LaunchTemplateId."+strconv.Itoa(1000+i), lt.id)
	}
	notFound := func(id string) error {
		return errBadRequest("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
	}
	return describeList(s, w, r, s.launchTemplates, describeSpec[*launchTemplate]{"LaunchTemplateId", notFound, s.launchTemplateAttr}, "launchTemplates", s.launchTemplateXML)
}

func (s *Service) describeLaunchTemplateVersions(w http.ResponseWriter, r *request) error {
	lt, err := s.templateFromForm(r, "")
	if err != nil {
		return err
	}
	var out []launchTemplateVersionXML
	refs := listParam(r.form, "LaunchTemplateVersion")
	if len(refs) == 0 {
		for _, v := range lt.versions {
			out = append(out, s.launchTemplateVersionXML(lt, v))
		}
	}
	for _, ref := range refs {
		v, err := lt.version(ref)
		if err != nil {
			return err
		}
		out = append(out, s.launchTemplateVersionXML(lt, v))
	}
	page, next, err := paginate(r, out)
	if err != nil {
		return err
	}
	return respond(w, r, itemSet[launchTemplateVersionXML]{"launchTemplateVersionSet", page, next})
}
