package awsproto

import "strings"

// XMLText returns the text of the first <tag>…</tag> element in an XML
// body, or "". It is meant for picking an id out of a flat AWS query
// response without declaring its whole shape.
func XMLText(body []byte, tag string) string {
	s := string(body)
	open, end := "<"+tag+">", "</"+tag+">"
	i := strings.Index(s, open)
	if i < 0 {
		return ""
	}
	s = s[i+len(open):]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return ""
}
