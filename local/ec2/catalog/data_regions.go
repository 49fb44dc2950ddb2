package catalog

// The regions of the simulated partition. Zone IDs are what AWS uses to name
// a physical zone across accounts; zone names are mapped to them per account
// on real AWS. The local cloud uses one fixed mapping for every account so that
// tests can name zones by either.
//
// priceFactor scales us-east-1 on-demand prices: AWS prices other regions
// roughly uniformly higher (Ireland ~10%, Frankfurt ~20%, Singapore and Tokyo
// ~25–30%), which is all the service needs to compute spot max prices.
var regionTable = []regionSpec{
	{name: "us-east-1", idPrefix: "use1", priceFactor: 1.00, zones: seqZones("abcdef")},
	{name: "us-east-2", idPrefix: "use2", priceFactor: 1.00, zones: seqZones("abc")},
	{name: "us-west-2", idPrefix: "usw2", priceFactor: 1.00, zones: seqZones("abcd")},
	{name: "eu-west-1", idPrefix: "euw1", priceFactor: 1.12, zones: seqZones("abc")},
	{name: "eu-central-1", idPrefix: "euc1", priceFactor: 1.20, zones: seqZones("abc")},
	{name: "ap-southeast-1", idPrefix: "apse1", priceFactor: 1.26, zones: seqZones("abc")},
	// Tokyo has no "b" zone for accounts created since 2013, and its zone IDs
	// are not in letter order: keeping both quirks catches code that derives
	// zone names or IDs from an index.
	{name: "ap-northeast-1", idPrefix: "apne1", priceFactor: 1.30, zones: []zoneSpec{{'a', 4}, {'c', 1}, {'d', 2}}},
}

type regionSpec struct {
	name        string
	idPrefix    string // zone ID prefix, e.g. use1 in use1-az1
	priceFactor float64
	zones       []zoneSpec
}

type zoneSpec struct {
	letter byte // zone name suffix: us-east-1a
	idNum  int  // zone ID suffix: use1-az1
}

// seqZones maps letters to az1, az2, … in order.
func seqZones(letters string) []zoneSpec {
	zs := make([]zoneSpec, len(letters))
	for i := range len(letters) {
		zs[i] = zoneSpec{letters[i], i + 1}
	}
	return zs
}
