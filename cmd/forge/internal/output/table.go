package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// TableData is a header row and the rows under it.
type TableData struct {
	Header []string
	Rows   [][]string
}

// NewTable starts a table with the given column names.
func NewTable(header ...string) *TableData { return &TableData{Header: header} }

// Add appends a row; cells beyond the header are dropped and missing ones
// left empty, so a row mistake never shifts every column after it.
func (t *TableData) Add(cells ...string) {
	row := make([]string, len(t.Header))
	copy(row, cells)
	t.Rows = append(t.Rows, row)
}

// Write aligns the columns with tabwriter, kubectl style: upper-case
// header, three spaces between columns, "-" for empty cells.
func (t *TableData) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	if len(t.Header) > 0 {
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(t.Header, "\t")))
	}
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = strings.ReplaceAll(c, "\t", " ")
			if cells[i] == "" {
				cells[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// Age renders how long ago t was, the way kubectl's AGE column does.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// KV is a two-column key/value view for single objects.
func KV(pairs ...string) *TableData {
	t := &TableData{}
	for i := 0; i+1 < len(pairs); i += 2 {
		t.Rows = append(t.Rows, []string{pairs[i] + ":", pairs[i+1]})
	}
	return t
}
