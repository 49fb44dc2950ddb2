package workflow

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/clusterforge/clusterforge/shared/domain"
)

// BootstrapStore keeps each cluster's kubeadm bootstrap secrets: made once,
// before the first node, and read by every later launch (other pools, a
// retry, a node replacement) so they all join the same cluster.
type BootstrapStore interface {
	// BootstrapSecrets returns the cluster's secrets, creating them on
	// first use.
	BootstrapSecrets(ctx context.Context, scope domain.Scope, clusterID string) (domain.BootstrapSecrets, error)
	DeleteBootstrapSecrets(ctx context.Context, scope domain.Scope, clusterID string) error
}

// SecretsManagerAPI is the part of Secrets Manager the bootstrap store uses.
type SecretsManagerAPI interface {
	CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	DeleteSecret(context.Context, *secretsmanager.DeleteSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
}

// SecretsManagerBootstrap keeps the secrets in Secrets Manager, one secret
// per cluster named <prefix><tenant>/clusters/<id>/bootstrap, never in
// DynamoDB or a log.
type SecretsManagerBootstrap struct {
	Client SecretsManagerAPI
	Prefix string // SECRET_PREFIX
}

// bootstrapDoc is the secret's content. The CA's certificate and key are
// kept so the first control-plane node can be given the CA whose hash the
// joining nodes pin.
type bootstrapDoc struct {
	Token          string `json:"token"`
	CACertHash     string `json:"caCertHash"`
	CertificateKey string `json:"certificateKey"`
	CACert         string `json:"caCert"`
	CAKey          string `json:"caKey"`
}

func (b SecretsManagerBootstrap) name(scope domain.Scope, clusterID string) string {
	return b.Prefix + scope.Tenant + "/clusters/" + clusterID + "/bootstrap"
}

func (b SecretsManagerBootstrap) BootstrapSecrets(ctx context.Context, scope domain.Scope, clusterID string) (domain.BootstrapSecrets, error) {
	name := b.name(scope, clusterID)
	s, err := b.read(ctx, name)
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return s, err
	}
	doc, err := newBootstrapDoc()
	if err != nil {
		return domain.BootstrapSecrets{}, err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return domain.BootstrapSecrets{}, fmt.Errorf("encode bootstrap secrets: %w", err)
	}
	_, err = b.Client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(string(body)),
		Description: aws.String("ClusterForge kubeadm bootstrap secrets of cluster " + clusterID),
		Tags:        []smtypes.Tag{{Key: aws.String("clusterforge.io/cluster-id"), Value: aws.String(clusterID)}},
	})
	var exists *smtypes.ResourceExistsException
	if errors.As(err, &exists) {
		// Another pool's launch made them first: use those.
		return b.read(ctx, name)
	}
	if err != nil {
		return domain.BootstrapSecrets{}, fmt.Errorf("create bootstrap secret of cluster %s: %w", clusterID, err)
	}
	return doc.secrets(), nil
}

func (b SecretsManagerBootstrap) read(ctx context.Context, name string) (domain.BootstrapSecrets, error) {
	out, err := b.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return domain.BootstrapSecrets{}, fmt.Errorf("read bootstrap secret %s: %w", name, err)
	}
	var doc bootstrapDoc
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &doc); err != nil {
		// Never wrap the JSON error: it may quote the secret.
		return domain.BootstrapSecrets{}, fmt.Errorf("bootstrap secret %s is malformed", name)
	}
	return doc.secrets(), nil
}

func (b SecretsManagerBootstrap) DeleteBootstrapSecrets(ctx context.Context, scope domain.Scope, clusterID string) error {
	_, err := b.Client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
		SecretId: aws.String(b.name(scope, clusterID)), ForceDeleteWithoutRecovery: aws.Bool(true),
	})
	var nf *smtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("delete bootstrap secret of cluster %s: %w", clusterID, err)
	}
	return nil
}

func (d bootstrapDoc) secrets() domain.BootstrapSecrets {
	return domain.BootstrapSecrets{Token: d.Token, CACertHash: d.CACertHash, CertificateKey: d.CertificateKey}
}

// newBootstrapDoc makes a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}), a
// certificate key (32 random bytes, hex, as kubeadm wants) and a cluster CA
// whose public-key hash joining nodes pin.
func newBootstrapDoc() (bootstrapDoc, error) {
	id, err := randomString(6)
	if err != nil {
		return bootstrapDoc{}, err
	}
	secret, err := randomString(16)
	if err != nil {
		return bootstrapDoc{}, err
	}
	certKey := make([]byte, 32)
	if _, err := rand.Read(certKey); err != nil {
		return bootstrapDoc{}, fmt.Errorf("generate certificate key: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return bootstrapDoc{}, fmt.Errorf("generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "kubernetes"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return bootstrapDoc{}, fmt.Errorf("create CA certificate: %w", err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return bootstrapDoc{}, fmt.Errorf("encode CA public key: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return bootstrapDoc{}, fmt.Errorf("encode CA key: %w", err)
	}
	sum := sha256.Sum256(spki)
	return bootstrapDoc{
		Token: id + "." + secret, CACertHash: "sha256:" + hex.EncodeToString(sum[:]),
		CertificateKey: hex.EncodeToString(certKey),
		CACert:         string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		CAKey:          string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	}, nil
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomString(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(tokenAlphabet))))
		if err != nil {
			return "", fmt.Errorf("generate bootstrap token: %w", err)
		}
		b[i] = tokenAlphabet[k.Int64()]
	}
	return string(b), nil
}
