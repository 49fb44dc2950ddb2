package ec2

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/clusterforge/clusterforge/local/awsproto"
)

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// envelope is <ActionResponse xmlns=…><requestId/>…</ActionResponse>; the
// action-specific members are marshalled separately and spliced in, so each
// handler only declares the members it answers.
type envelope struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	RequestID string `xml:"requestId"`
	Inner     []byte `xml:",innerxml"`
}

// respond writes body's fields as the members of the action's response.
func respond(w http.ResponseWriter, r *request, body any) error {
	inner, err := innerXML(body)
	if err != nil {
		return fmt.Errorf("encode %s response: %w", r.call.Action, err)
	}
	awsproto.WriteXML(w, envelope{
		XMLName:   xml.Name{Local: r.call.Action + "Response"},
		Xmlns:     ec2Namespace,
		RequestID: r.call.RequestID,
		Inner:     inner,
	})
	return nil
}

// innerXML marshals v inside a throwaway element and strips it again
// (encoding/xml never self-closes, so it is always "<x>…</x>"); this lets
// handlers answer with anonymous structs.
func innerXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[len("<x>") : len(b)-len("</x>")], nil
}

// returnTrue is the body of actions that answer only <return>true</return>.
type returnTrue struct {
	Return bool `xml:"return"`
}

func respondTrue(w http.ResponseWriter, r *request) error {
	return respond(w, r, returnTrue{Return: true})
}

// tagXML is one <item><key/><value/></item> of a tagSet.
type tagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// tagSet renders a resource's tags in key order.
func (s *Service) tagSet(id string) []tagXML {
	tags := s.tags[id]
	out := make([]tagXML, 0, len(tags))
	for k, v := range tags {
		out = append(out, tagXML{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// valueXML is EC2's <x><value>…</value></x> attribute wrapper.
type valueXML struct {
	Value string `xml:"value"`
}

type boolValueXML struct {
	Value bool `xml:"value"`
}

// groupXML is one entry of a groupSet.
type groupXML struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

func (s *Service) groupSet(ids []string) []groupXML {
	out := make([]groupXML, 0, len(ids))
	for _, id := range ids {
		g := groupXML{GroupID: id}
		if sg, ok := s.securityGroups[id]; ok {
			g.GroupName = sg.name
		}
		out = append(out, g)
	}
	return out
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// itemSet is a Describe response body: <setName><item>…</item>…</setName>
// followed by <nextToken> when there are more pages.
type itemSet[X any] struct {
	setName   string
	items     []X
	nextToken string
}

func (l itemSet[X]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	set := xml.StartElement{Name: xml.Name{Local: l.setName}}
	tokens := []func() error{
		func() error { return e.EncodeToken(start) },
		func() error { return e.EncodeToken(set) },
	}
	for _, it := range l.items {
		tokens = append(tokens, func() error { return e.EncodeElement(it, xml.StartElement{Name: xml.Name{Local: "item"}}) })
	}
	tokens = append(tokens, func() error { return e.EncodeToken(set.End()) })
	if l.nextToken != "" {
		tokens = append(tokens, func() error {
			return e.EncodeElement(l.nextToken, xml.StartElement{Name: xml.Name{Local: "nextToken"}})
		})
	}
	tokens = append(tokens, func() error { return e.EncodeToken(start.End()) })
	for _, t := range tokens {
		if err := t(); err != nil {
			return err
		}
	}
	return nil
}

// describeList is the whole of a typical Describe action: select by ids and
// filters, paginate, render each resource into its <item>.
func describeList[T record, X any](s *Service, w http.ResponseWriter, r *request, all map[string]T, spec describeSpec[T], setName string, render func(T) X) error {
	items, err := describe(s, r, all, spec)
	if err != nil {
		return err
	}
	page, next, err := paginate(r, items)
	if err != nil {
		return err
	}
	out := make([]X, len(page))
	for i, v := range page {
		out[i] = render(v)
	}
	return respond(w, r, itemSet[X]{setName, out, next})
}
