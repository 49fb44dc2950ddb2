package store

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// Single-table layout. Every item's partition key starts with its tenant
// (and project), taken from verified claims, so no query or get built from a
// request can reach another tenant's items.
//
//	entity                PK                    SK                       GSI1PK / GSI1SK
//	cloud account         T#<t>#P#<p>           ACC#<id>
//	cloud account name    T#<t>#P#<p>           NAME#ACC#<name>          (uniqueness; owner=<id>)
//	cluster profile       T#<t>#P#<p>           PRF#<id>
//	cluster profile name  T#<t>#P#<p>           NAME#PRF#<name>
//	idempotency record    T#<t>#P#<p>           IDEM#<sha256(key)>       (expiresAt TTL)
//	tenant ExternalId     T#<t>                 EXTERNALID
//	cluster (next issue)  T#<t>#P#<p>           CLU#<id>                 T#<t>#P#<p>#ACC#<account id> / CLU#<id>
//	cluster children      T#<t>#P#<p>#CLU#<id>  TASK#…, RES#…, POOL#…    (tasks, ledger, node pools)
//
// Ids are time-ordered, so begins_with(SK, "ACC#") lists accounts oldest
// first. Clusters put GSI1PK on themselves while they are not Deleted
// (removing it when they reach Deleted), so "is this account in use" is one
// GSI1 query (AccountInUse).
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI1SK = "GSI1SK"
	attrKind   = "kind"
	attrTenant = "tenant"
	attrProj   = "project"
	attrVer    = "version"
	attrOwner  = "ownerId"
)

// Entity kinds: the SK prefix and the "kind" attribute.
const (
	KindCloudAccount = "ACC"
	KindProfile      = "PRF"
	KindCluster      = "CLU"
)

func tenantPK(tenant string) string { return "T#" + tenant }

// ScopePK is the partition of everything in one tenant's project.
func ScopePK(s domain.Scope) string { return tenantPK(s.Tenant) + "#P#" + s.Project }

func entitySK(kind, id string) string { return kind + "#" + id }
func nameSK(kind, name string) string { return "NAME#" + kind + "#" + name }
func idempotencySK(key string) string { return "IDEM#" + hashHex(key) }
func accountUsePK(s domain.Scope, accountID string) string {
	return ScopePK(s) + "#" + KindCloudAccount + "#" + accountID
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}
