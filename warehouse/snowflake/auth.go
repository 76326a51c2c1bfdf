package snowflake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
)

// Secrets are read from the environment (or files it names), never from
// flags or URLs that end up in shell history and logs.
const (
	EnvPassword      = "SYNCTRACK_SNOWFLAKE_PASSWORD"
	EnvPrivateKey    = "SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_FILE"
	EnvKeyPassphrase = "SYNCTRACK_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"
	EnvToken         = "SYNCTRACK_SNOWFLAKE_TOKEN"
	EnvTokenFile     = "SYNCTRACK_SNOWFLAKE_TOKEN_FILE"
)

// credentials is what the environment says about authentication.
type credentials struct {
	password string
	key      *rsa.PrivateKey
	token    string
}

// secrets lists the values that must never appear in an error or a log.
func (c credentials) secrets() []string {
	var s []string
	for _, v := range []string{c.password, c.token} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

func readCredentials(env func(string) string) (credentials, error) {
	var c credentials
	c.password = env(EnvPassword)
	c.token = strings.TrimSpace(env(EnvToken))
	if f := env(EnvTokenFile); f != "" && c.token == "" {
		raw, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("%s: %w", EnvTokenFile, err)
		}
		c.token = strings.TrimSpace(string(raw))
	}
	if f := env(EnvPrivateKey); f != "" {
		raw, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("%s: %w", EnvPrivateKey, err)
		}
		k, err := parsePrivateKey(raw, env(EnvKeyPassphrase))
		if err != nil {
			return c, fmt.Errorf("%s %s: %w", EnvPrivateKey, f, err)
		}
		c.key = k
	}
	return c, nil
}

// parsePrivateKey reads an RSA key in PEM: PKCS#8 ("PRIVATE KEY"), PKCS#1
// ("RSA PRIVATE KEY") or encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", PBES2 with
// PBKDF2 and AES-CBC or DES-EDE3-CBC, as `openssl pkcs8 -topk8 -v2 ...` writes).
func parsePrivateKey(raw []byte, passphrase string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block: want a .p8 private key file")
	}
	der := block.Bytes
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(der)
	case "ENCRYPTED PRIVATE KEY":
		if passphrase == "" {
			return nil, fmt.Errorf("the key is encrypted: set %s", EnvKeyPassphrase)
		}
		var err error
		if der, err = decryptPKCS8(der, []byte(passphrase)); err != nil {
			return nil, err
		}
	case "PRIVATE KEY":
	default:
		return nil, fmt.Errorf("PEM block %q: want PRIVATE KEY or ENCRYPTED PRIVATE KEY", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse key (wrong passphrase?): %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T: Snowflake key pair auth needs RSA", k)
	}
	return rk, nil
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type encryptedPKCS8 struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Cipher pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt   []byte
	Iter   int
	KeyLen int                      `asn1:"optional"`
	PRF    pkix.AlgorithmIdentifier `asn1:"optional"`
}

func decryptPKCS8(der, pass []byte) ([]byte, error) {
	var ek encryptedPKCS8
	if _, err := asn1.Unmarshal(der, &ek); err != nil {
		return nil, fmt.Errorf("encrypted key: %w", err)
	}
	if !ek.Algo.Algorithm.Equal(oidPBES2) {
		return nil, errors.New("encrypted key: only PBES2 is supported (openssl pkcs8 -topk8 -v2 aes256)")
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(ek.Algo.Parameters.FullBytes, &p); err != nil || !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, errors.New("encrypted key: only PBKDF2 is supported")
	}
	var kp pbkdf2Params
	if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kp); err != nil {
		return nil, fmt.Errorf("encrypted key: %w", err)
	}
	var h func() hash.Hash = sha1.New
	if kp.PRF.Algorithm.Equal(oidHMACSHA256) {
		h = sha256.New
	} else if len(kp.PRF.Algorithm) > 0 && !kp.PRF.Algorithm.Equal(oidHMACSHA1) {
		return nil, errors.New("encrypted key: PRF must be HMAC-SHA1 or HMAC-SHA256")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Cipher.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("encrypted key: %w", err)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch {
	case p.Cipher.Algorithm.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case p.Cipher.Algorithm.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case p.Cipher.Algorithm.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, errors.New("encrypted key: cipher must be AES-128/256-CBC or DES-EDE3-CBC")
	}
	key, err := pbkdf2.Key(h, string(pass), kp.Salt, kp.Iter, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	if len(ek.Data)%block.BlockSize() != 0 || len(iv) != block.BlockSize() {
		return nil, errors.New("encrypted key: bad length")
	}
	out := make([]byte, len(ek.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ek.Data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > block.BlockSize() || pad > len(out) {
		return nil, errors.New("wrong passphrase")
	}
	return out[:len(out)-pad], nil
}
