// hypersdk test harness: an NFC download handler with HTTP Range support.
//
// Not part of govmomi: scripts/build-vcsim copies this file into a private copy
// of the Debian govmomi source (package simulator). vCenter's NFC service honours
// Range on export device URLs; 0.24.2's ServeNFC ignores it (and, unpatched,
// panics on GET). Our main routes GET/HEAD under /nfc/ here unless -nfc-range=false.
package simulator

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// HarnessNFCRate limits NFC downloads to this many bytes per second (0: no
// limit), so tests can interrupt a download half way.
var HarnessNFCRate int64

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
	var out http.ResponseWriter = w
	if HarnessNFCRate > 0 {
		out = &throttledWriter{ResponseWriter: w, rate: HarnessNFCRate}
	}
	// No modification time: a resumed download must not depend on If-Range dates.
	http.ServeContent(out, r, name, time.Time{}, f)
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
