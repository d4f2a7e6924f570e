// hypersdk test harness: an NFC download handler with HTTP Range support.
//
// Not part of govmomi: scripts/build-vcsim copies this file into a private copy
// of the Debian govmomi source (package simulator). vCenter's NFC service honours
// Range on export device URLs; 0.24.2's ServeNFC ignores it (and, unpatched,
// panics on GET). Our main routes GET/HEAD under /nfc/ here unless -nfc-range=false.
package simulator

import (
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// HarnessNFCRate limits NFC downloads to this many bytes per second (0: no
// limit), so tests can interrupt a download half way.
var HarnessNFCRate int64

// HarnessNFCTruncate, when > 0, makes every disk GET a truncated download: 200
// without Content-Length (the body ends when the connection closes), the
// first HarnessNFCTruncate bytes of the file, then the connection is closed.
// A client cannot tell this from a complete download by HTTP alone.
var HarnessNFCTruncate int64

// HarnessServeNFCRange serves an export lease's disk file with Range support.
func HarnessServeNFCRange(w http.ResponseWriter, r *http.Request) {
	p := strings.Split(r.URL.Path, "/")
	if len(p) < 2 {
		http.NotFound(w, r)
		return
	}
	id, name := p[len(p)-2], p[len(p)-1]
	l, ok := nfcLease.Load(types.ManagedObjectReference{Type: "HttpNfcLease", Value: id})
	if !ok {
		http.NotFound(w, r)
		return
	}
	file, ok := l.(*HttpNfcLease).files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if HarnessNFCTruncate > 0 && r.Method == http.MethodGet {
		serveTruncated(w, f)
		return
	}
	var out http.ResponseWriter = w
	if HarnessNFCRate > 0 {
		out = &throttledWriter{ResponseWriter: w, rate: HarnessNFCRate}
	}
	// No modification time: a resumed download must not depend on If-Range dates.
	http.ServeContent(out, r, name, time.Time{}, f)
}

// serveTruncated writes a close-delimited HTTP/1.1 response by hand (net/http
// would add Content-Length or chunking) and closes the connection early.
func serveTruncated(w http.ResponseWriter, f *os.File) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack the connection", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hijacker.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
	io.CopyN(buf, f, HarnessNFCTruncate)
	buf.Flush()
}

// throttledWriter sleeps after each write so the average rate stays at rate.
type throttledWriter struct {
	http.ResponseWriter
	rate    int64
	written int64
	start   time.Time
}

func (t *throttledWriter) Write(b []byte) (int, error) {
	if t.start.IsZero() {
		t.start = time.Now()
	}
	const chunk = 16 * 1024
	total := 0
	for len(b) > 0 {
		n := len(b)
		if n > chunk {
			n = chunk
		}
		m, err := t.ResponseWriter.Write(b[:n])
		total += m
		t.written += int64(m)
		if err != nil {
			return total, err
		}
		if f, ok := t.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		due := t.start.Add(time.Duration(t.written * int64(time.Second) / t.rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		b = b[n:]
	}
	return total, nil
}
