// The Go peer for bench/server/run.sh: net/http/pprof plus a /debug/stats that reads what
// gz's does (runtime statistics, RSS and open descriptors from /proc), standard library only.
// SPDX-License-Identifier: GPL-3.0-or-later
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var start = time.Now()

// rssBytes reads VmRSS from /proc/self/status, as gz_process_stats_collect does.
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line)
			kib, _ := strconv.ParseInt(fields[1], 10, 64)
			return kib * 1024
		}
	}
	return -1
}

func stats(w http.ResponseWriter, r *http.Request) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fds, _ := os.ReadDir("/proc/self/fd")
	doc := map[string]any{
		"timestamp":      time.Now().UTC().Format(time.RFC3339Nano),
		"uptime_seconds": time.Since(start).Seconds(),
		"pid":            os.Getpid(),
		"memory": map[string]any{
			"allocator":              "go",
			"allocator_in_use_bytes": m.HeapInuse,
			"heap_size_bytes":        m.HeapSys,
			"free_bytes":             m.HeapIdle - m.HeapReleased,
			"unmapped_bytes":         m.HeapReleased,
			"rss_bytes":              rssBytes(),
		},
		"allocations": map[string]any{"live_objects": m.HeapObjects, "total_bytes": m.TotalAlloc},
		"goroutines":  runtime.NumGoroutine(),
		"gc_runs":     m.NumGC,
		"open_fds":    len(fds),
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6061", "address to listen on")
	flag.Parse()
	http.HandleFunc("/debug/stats", stats)
	log.Printf("Serving pprof at http://%s/debug/pprof/", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
