// Package e2e holds the end-to-end tests of ClusterForge: they start the
// local cloud once as a black box (bin/localcloud, through local/harness)
// and drive the real API, the real Lambda binaries and the AWS endpoint the
// way a customer, the AWS CLI and the SDKs would. Every API exchange is
// checked against the OpenAPI contract.
//
// Run with `make build node && go test ./e2e/ -count=1 -v`.
package e2e
