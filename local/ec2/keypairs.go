package ec2

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

func init() {
	register(map[string]actionHandler{
		"CreateKeyPair":    (*Service).createKeyPair,
		"ImportKeyPair":    (*Service).importKeyPair,
		"DeleteKeyPair":    (*Service).deleteKeyPair,
		"DescribeKeyPairs": (*Service).describeKeyPairs,
	})
}

type keyPair struct {
	meta
	name        string
	keyType     string
	fingerprint string
	publicKey   string
}

func keyPairNotFound(name string) error {
	return errBadRequest("InvalidKeyPair.NotFound", "The key pair '%s' does not exist", name)
}

func (s *Service) keyPairByName(region, name string) *keyPair {
	for _, kp := range inRegion(s.keyPairs, region) {
		if kp.name == name {
			return kp
		}
	}
	return nil
}

func (s *Service) newKeyPair(r *request, keyType, fingerprint, publicKey string) (*keyPair, error) {
	name, err := required(r.form, "KeyName")
	if err != nil {
		return nil, err
	}
	if s.keyPairByName(r.region(), name) != nil {
		return nil, errBadRequest("InvalidKeyPair.Duplicate", "The keypair '%s' already exists.", name)
	}
	kp := &keyPair{meta: s.newMeta("key", r), name: name, keyType: keyType, fingerprint: fingerprint, publicKey: publicKey}
	if err := s.tagOnCreate(r, "key-pair", kp.id); err != nil {
		return nil, err
	}
	s.keyPairs[kp.id] = kp
	return kp, nil
}

// colonHex renders a digest the way EC2 shows key fingerprints.
func colonHex(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// createKeyPair generates an ed25519 key whatever KeyType asks for: it is
// instant, and the local cloud never logs into instances with it.
func (s *Service) createKeyPair(w http.ResponseWriter, r *request) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key pair: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("marshal private key: %w", err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return fmt.Errorf("marshal public key: %w", err)
	}
	sum := sha1.Sum(der)
	kp, err := s.newKeyPair(r, orDefault(r.form.Get("KeyType"), "rsa"), colonHex(sum[:]), string(ssh.MarshalAuthorizedKey(sshPub)))
	if err != nil {
		return err
	}
	return respond(w, r, struct {
		KeyName     string   `xml:"keyName"`
		Fingerprint string   `xml:"keyFingerprint"`
		KeyMaterial string   `xml:"keyMaterial"`
		KeyPairID   string   `xml:"keyPairId"`
		Tags        []tagXML `xml:"tagSet>item"`
	}{kp.name, kp.fingerprint, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), kp.id, s.tagSet(kp.id)})
}

func (s *Service) importKeyPair(w http.ResponseWriter, r *request) error {
	material, err := required(r.form, "PublicKeyMaterial")
	if err != nil {
		return err
	}
	// The SDKs send the key base64-encoded (a blob); accept raw text too.
	if decoded, err := base64.StdEncoding.DecodeString(material); err == nil {
		material = string(decoded)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(material))
	if err != nil {
		return errBadRequest("InvalidKey.Format", "Key is not in valid OpenSSH public key format")
	}
	keyType := "rsa"
	if pub.Type() == ssh.KeyAlgoED25519 {
		keyType = "ed25519"
	}
	sum := md5.Sum(pub.Marshal())
	kp, err := s.newKeyPair(r, keyType, colonHex(sum[:]), string(ssh.MarshalAuthorizedKey(pub)))
	if err != nil {
		return err
	}
	return respond(w, r, struct {
		KeyName     string   `xml:"keyName"`
		Fingerprint string   `xml:"keyFingerprint"`
		KeyPairID   string   `xml:"keyPairId"`
		Tags        []tagXML `xml:"tagSet>item"`
	}{kp.name, kp.fingerprint, kp.id, s.tagSet(kp.id)})
}

// deleteKeyPair succeeds for unknown names, as EC2 does.
func (s *Service) deleteKeyPair(w http.ResponseWriter, r *request) error {
	kp := s.keyPairByName(r.region(), r.form.Get("KeyName"))
	if id := r.form.Get("KeyPairId"); id != "" {
		kp = s.keyPairs[id]
	}
	var id string
	if kp != nil && kp.region == r.region() {
		id = kp.id
		forget(s, s.keyPairs, kp.id)
	}
	return respond(w, r, struct {
		Return    bool   `xml:"return"`
		KeyPairID string `xml:"keyPairId,omitempty"`
	}{true, id})
}

type keyPairXML struct {
	KeyPairID   string   `xml:"keyPairId"`
	KeyName     string   `xml:"keyName"`
	Fingerprint string   `xml:"keyFingerprint"`
	KeyType     string   `xml:"keyType"`
	PublicKey   string   `xml:"publicKey,omitempty"`
	CreateTime  string   `xml:"createTime"`
	Tags        []tagXML `xml:"tagSet>item"`
}

func (s *Service) keyPairAttr(kp *keyPair, name string) ([]string, bool) {
	switch name {
	case "key-name":
		return one(kp.name), true
	case "key-pair-id":
		return one(kp.id), true
	case "fingerprint":
		return one(kp.fingerprint), true
	case "key-type":
		return one(kp.keyType), true
	}
	return nil, false
}

func (s *Service) describeKeyPairs(w http.ResponseWriter, r *request) error {
	for i, name := range listParam(r.form, "KeyName") {
		kp := s.keyPairByName(r.region(), name)
		if kp == nil {
			return keyPairNotFound(name)
		}
		r.form.Set("KeyPairId."+strconv.Itoa(1000+i), kp.id)
	}
	includePublic, _ := boolParam(r.form, "IncludePublicKey")
	render := func(kp *keyPair) keyPairXML {
		out := keyPairXML{kp.id, kp.name, kp.fingerprint, kp.keyType, "", isoTime(kp.created), s.tagSet(kp.id)}
		if includePublic {
			out.PublicKey = kp.publicKey
		}
		return out
	}
	return describeList(s, w, r, s.keyPairs, describeSpec[*keyPair]{"KeyPairId", notFoundFunc("InvalidKeyPair.NotFound", "key pair"), s.keyPairAttr}, "keySet", render)
}
