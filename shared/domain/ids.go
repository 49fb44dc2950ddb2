package domain

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"regexp"
	"sync"
	"time"
)

// ID prefixes say what an id names, so a cluster id pasted where an account
// id belongs fails fast and reads clearly in logs.
const (
	PrefixCloudAccount = "acc"
	PrefixProfile      = "prf"
	PrefixCluster      = "clu"
)

// crockford is Crockford's base32 alphabet in lower case (no i, l, o, u).
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns prefix-<26 chars>: a ULID-style id whose first 10 characters
// encode the millisecond time, so ids sort by creation time (lists come back
// oldest first for free), followed by 80 random bits. Within one process
// ids of the same millisecond are made monotonic by incrementing the random
// part, as ULID's monotonic mode does.
func NewID(prefix string, now time.Time) string {
	ms, random := nextEntropy(uint64(now.UnixMilli()))
	var b [26]byte
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	// 80 random bits: 16 from hi, 64 from lo.
	for i := 25; i >= 10; i-- {
		b[i] = crockford[random.lo&31]
		random.lo = random.lo>>5 | random.hi<<59
		random.hi >>= 5
	}
	return prefix + "-" + string(b[:])
}

type entropy struct{ hi, lo uint64 } // hi holds 16 bits

var (
	entropyMu sync.Mutex
	lastMS    uint64
	lastRand  entropy
)

func nextEntropy(ms uint64) (uint64, entropy) {
	entropyMu.Lock()
	defer entropyMu.Unlock()
	if ms <= lastMS {
		ms = lastMS // a clock step backwards must not break ordering either
		lastRand.lo++
		if lastRand.lo == 0 {
			lastRand.hi = (lastRand.hi + 1) & 0xffff
		}
		return ms, lastRand
	}
	var buf [10]byte
	_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
	lastMS = ms
	lastRand = entropy{hi: uint64(binary.BigEndian.Uint16(buf[:2])), lo: binary.BigEndian.Uint64(buf[2:])}
	return ms, lastRand
}

var idPattern = regexp.MustCompile(`^[a-z]{3}-[0-9a-hjkmnp-tv-z]{26}$`)

// ValidID reports whether id is a well-formed id with the given prefix. The
// API answers 404 for anything else without touching the table.
func ValidID(prefix, id string) bool {
	return len(id) == len(prefix)+27 && id[:len(prefix)] == prefix && idPattern.MatchString(id)
}

// NewExternalID returns a fresh random sts:ExternalId (160 bits, in the
// character set IAM accepts).
func NewExternalID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "cf-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}
