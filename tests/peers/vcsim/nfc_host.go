package main

import (
	"crypto/sha1"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
)

// nfcHost is a second TLS listener that serves only NFC downloads, with its
// own self-signed certificate (not the one in the CA file): the ESXi host
// behind a vCenter, whose device URLs a client can trust only through the
// export lease's sslThumbprint.
type nfcHost struct {
	addr string // "127.0.0.1:PORT"
	sha1 string // "AA:BB:..." of its certificate
	srv  *http.Server
}

func startNFCHost(ip string, nfc http.Handler) (*nfcHost, error) {
	cert, err := selfSignedCert()
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", net.JoinHostPort(ip, "0"), &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(cert.Certificate[0])
	h := &nfcHost{addr: ln.Addr().String(), sha1: thumbprint(sum[:])}
	h.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/nfc/") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		nfc.ServeHTTP(w, r)
	})}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *nfcHost) Close() { _ = h.srv.Close() }
