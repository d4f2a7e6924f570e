// vcsim for hypersdk's tests: govmomi's vSphere simulator (VPX model) over TLS
// on a loopback port, plus our harness extensions (ExportVm, NFC Range,
// OvfManager.CreateDescriptor on request).
//
// Prints one machine-readable line on stdout once it serves:
//
//	VCSIM_READY url=https://127.0.0.1:PORT/sdk cafile=PATH sha1=AA:.. sha256=AA:.. pid=N
//
// (with -nfc-other-host also nfc=127.0.0.1:PORT2 nfcsha1=AA:..)
//
// and exits on SIGTERM/SIGINT or, by default, when stdin reaches EOF (so a test
// that dies never leaves it behind). The login password comes from the
// VCSIM_PASSWORD environment variable, never from argv.
package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func thumbprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	host := flag.String("host", "127.0.0.1", "loopback address to listen on (127.0.0.1 or ::1)")
	port := flag.Int("port", 0, "port to listen on; 0 picks a free one")
	username := flag.String("username", "", "accept only this user (with $VCSIM_PASSWORD); empty accepts any")
	certDir := flag.String("cert-dir", "", "directory for the server certificate PEM (default: a temp dir)")
	nfcRange := flag.Bool("nfc-range", true, "serve NFC downloads with Range support (false: 200 + whole file)")
	nfcRate := flag.Int64("nfc-rate", 0, "limit NFC downloads to this many bytes per second (0: unlimited)")
	nfcTruncate := flag.Int64("nfc-truncate", 0,
		"end every NFC disk download after this many bytes, without Content-Length (0: never)")
	leaseDelay := flag.Duration("lease-init-delay", 0, "keep export leases 'initializing' this long")
	stdinExit := flag.Bool("exit-on-stdin-eof", true, "exit when stdin is closed")
	nfcOtherHost := flag.Bool("nfc-other-host", false,
		"publish device URLs on a second listener with its own certificate, as an ESXi host behind vCenter, "+
			"with its SHA-1 as the lease's sslThumbprint")
	nfcThumbprint := flag.String("nfc-thumbprint", "",
		"with -nfc-other-host: publish this sslThumbprint instead of the real one (\"none\": publish none)")
	ovfDescriptor := flag.String("ovf-create-descriptor", "off",
		"OvfManager.CreateDescriptor: off (MethodNotFound, as 0.24.2), on, error (adds error[]), invalid (not XML)")
	flag.Parse()

	// Before anything needs cleaning up: a SIGTERM right after the ready line
	// must still run the deferred cleanup (model.Remove, the cert dir).
	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGTERM, syscall.SIGINT)

	ip := net.ParseIP(*host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-host %q is not a loopback address", *host)
	}
	simulator.HarnessLeaseInitDelay = *leaseDelay
	simulator.HarnessNFCRate = *nfcRate
	simulator.HarnessNFCTruncate = *nfcTruncate
	switch *ovfDescriptor {
	case "off", "on", "error", "invalid":
		simulator.HarnessOvfCreateDescriptor = *ovfDescriptor
	default:
		return fmt.Errorf("-ovf-create-descriptor %q: use off, on, error or invalid", *ovfDescriptor)
	}

	dir := *certDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "vcsim-cert-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	caFile := filepath.Join(dir, "vcsim-ca.pem")
	if strings.ContainsAny(caFile, " \t\n") {
		return fmt.Errorf("certificate path %q contains white space", caFile)
	}
	cert, err := selfSignedCert()
	if err != nil {
		return fmt.Errorf("making the certificate: %v", err)
	}
	der := cert.Certificate[0]
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}

	model := simulator.VPX()
	defer model.Remove()
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the VPX model: %v", err)
	}

	listen := &url.URL{Host: net.JoinHostPort(*host, fmt.Sprint(*port))}
	if *username != "" {
		listen.User = url.UserPassword(*username, os.Getenv("VCSIM_PASSWORD"))
	}
	model.Service.Listen = listen
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	server := model.Service.NewServer()
	defer server.Close()

	// Our Range-capable NFC handler, or the simulator's own (with the GET fix).
	mux := server.Config.Handler
	nfc := mux
	if *nfcRange {
		nfc = http.HandlerFunc(simulator.HarnessServeNFCRange)
		// Route NFC downloads to it. Swapped right after start, before the
		// ready line tells anyone the address.
		server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/nfc/") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				simulator.HarnessServeNFCRange(w, r)
				return
			}
			mux.ServeHTTP(w, r)
		})
	}

	nfcFields := ""
	if *nfcOtherHost {
		h, err := startNFCHost(*host, nfc)
		if err != nil {
			return fmt.Errorf("starting the NFC listener: %v", err)
		}
		defer h.Close()
		published := h.sha1
		if *nfcThumbprint == "none" {
			published = ""
		} else if *nfcThumbprint != "" {
			published = *nfcThumbprint
		}
		simulator.HarnessNFCHost, simulator.HarnessNFCThumbprint = h.addr, published
		nfcFields = fmt.Sprintf(" nfc=%s nfcsha1=%s", h.addr, h.sha1)
	}

	u := *server.URL
	u.User = nil
	s1, s256 := sha1.Sum(der), sha256.Sum256(der)
	fmt.Printf("VCSIM_READY url=%s cafile=%s sha1=%s sha256=%s pid=%d%s\n",
		u.String(), caFile, thumbprint(s1[:]), thumbprint(s256[:]), os.Getpid(), nfcFields)

	if *stdinExit {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			done <- syscall.SIGHUP
		}()
	}
	<-done
	return nil
}
