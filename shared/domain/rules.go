package domain

import (
	"regexp"
	"unicode/utf8"
)

// Limits shared by every entity. They keep items far below DynamoDB's 400 KB
// item limit and names usable as AWS tag values and Kubernetes labels.
const (
	MaxNameLength        = 63
	MaxDescriptionLength = 1024
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkName validates a required lowercase DNS label (RFC 1123).
func checkName(p *ValidationErrors, field Path, name string) {
	switch {
	case name == "":
		p.Add(string(field), "is required")
	case len(name) > MaxNameLength:
		p.Add(string(field), "must be at most %d characters", MaxNameLength)
	case !dnsLabel.MatchString(name):
		p.Add(string(field), "must be a lowercase DNS label: a-z, 0-9 and '-', starting and ending with a letter or digit")
	}
}

// checkMaxLen rejects strings longer than max characters.
func checkMaxLen(p *ValidationErrors, field Path, s string, max int) bool {
	if utf8.RuneCountInString(s) > max {
		p.Add(string(field), "must be at most %d characters", max)
		return false
	}
	return true
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// DefaultRegion is used where a request may omit the region.
const DefaultRegion = "us-east-1"

// ValidateRegion checks AWS region syntax (us-east-1, us-gov-west-1). Whether
// the region is enabled in an account is for the cloud layer to find out.
func ValidateRegion(field Path, region string) error {
	var p ValidationErrors
	switch {
	case region == "":
		p.Add(string(field), "is required")
	case len(region) > 32 || !regionPattern.MatchString(region):
		p.Add(string(field), "must be an AWS region such as us-east-1")
	}
	return p.Err()
}
