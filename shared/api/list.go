package api

import (
	"strconv"

	"github.com/clusterforge/clusterforge/shared/store"
)

// List is one page of a collection; NextToken is set when more follow.
type List[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// pageOf reads ?limit= and ?nextToken=.
func pageOf(r *request) (store.Page, error) {
	q := r.event.QueryStringParameters
	page := store.Page{Limit: store.DefaultPageSize, Token: q["nextToken"]}
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxPageSize {
			return page, badRequest("limit", "must be an integer from 1 to "+strconv.Itoa(store.MaxPageSize))
		}
		page.Limit = n
	}
	return page, nil
}
