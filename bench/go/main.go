// Command gobench is gz profile's Go peer: it measures, with the standard library only, what
// bench/c measures for gz, and prints one JSON line per measurement (see bench/README.md).
//
// Usage: go build -o gobench . && ./gobench [-runs 7] [-cpu-seconds 2] [-outdir DIR]
// SPDX-License-Identifier: GPL-3.0-or-later
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

type result struct {
	Measurement string             `json:"measurement"`
	Impl        string             `json:"impl"`
	Unit        string             `json:"unit"`
	Median      float64            `json:"median"`
	Samples     []float64          `json:"samples"`
	Detail      map[string]float64 `json:"detail,omitempty"`
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minimum(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

func emit(r result) {
	r.Impl = "go"
	r.Median = median(r.Samples)
	line, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
	fmt.Println(string(line))
}

// cpuNow is the CPU time (user + system) of the whole process: unlike wall time it does not
// grow while other programs on this small, busy machine run, yet it counts the profiler's
// signal handlers and helper threads (Go's profile writer, GC workers).
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// span is what one run took.
type span struct{ cpu, wall time.Duration }

func measure(f func()) span {
	c0, w0 := cpuNow(), time.Now()
	f()
	return span{cpuNow() - c0, time.Since(w0)}
}

// paired runs a and b alternately (a first on even rounds, b first on odd ones, so that drift
// cancels) and returns the CPU seconds each took, and the median wall seconds of each. With
// chunks > 1 each run is made of that many parts, interleaved with the other's, so that both
// see the same load on a busy machine.
func paired(runs, chunks int, a, b func(chunks int) span) (as, bs []float64,
	detail map[string]float64) {
	var aw, bw []float64
	for i := 0; i < runs; i++ {
		var sa, sb span
		for c := 0; c < chunks; c++ {
			var x, y span
			// Each part starts from a collected heap, so GC cycles land alike in both.
			if (i+c)%2 == 0 {
				runtime.GC()
				x = a(chunks)
				runtime.GC()
				y = b(chunks)
			} else {
				runtime.GC()
				y = b(chunks)
				runtime.GC()
				x = a(chunks)
			}
			sa.cpu, sa.wall = sa.cpu+x.cpu, sa.wall+x.wall
			sb.cpu, sb.wall = sb.cpu+y.cpu, sb.wall+y.wall
		}
		as, aw = append(as, sa.cpu.Seconds()), append(aw, sa.wall.Seconds())
		bs, bw = append(bs, sb.cpu.Seconds()), append(bw, sb.wall.Seconds())
	}
	return as, bs, map[string]float64{"off_cpu_s": median(as), "on_cpu_s": median(bs),
		"off_wall_s": median(aw), "on_wall_s": median(bw),
		// the fastest run is the least disturbed one on a loaded machine
		"best_overhead": (minimum(bs)/minimum(as) - 1) * 100}
}

// overheads returns (b_i / a_i - 1) * 100 for each pair.
func overheads(as, bs []float64) []float64 {
	out := make([]float64, len(as))
	for i := range as {
		out[i] = (bs[i]/as[i] - 1) * 100
	}
	return out
}

// chunks is how many interleaved parts an allocation or JSON run is made of (50 ms each).
const chunks = 8

var sink uint64

// mix is the CPU-bound loop, the same splitmix64 chain as bench/c/gz-bench-cpu.c.
//
//go:noinline
func mix(n uint64, seed uint64) uint64 {
	x := seed
	for i := uint64(0); i < n; i++ {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		x ^= z ^ (z >> 31)
	}
	return x
}

func timeMix(n uint64) span {
	return measure(func() { sink += mix(n, sink) })
}

// calibrate returns how many units of f take about target of CPU time.
func calibrate(target time.Duration, f func(n uint64) span) uint64 {
	n := uint64(1 << 10)
	for {
		d := f(n).cpu
		if d > target/8 {
			return uint64(float64(n) * float64(target) / float64(d))
		}
		n *= 2
	}
}

// benchCPU measures at hz; above runtime/pprof's 100 Hz the overhead is measured amplified and
// divided by hz / 100, as bench/c does. (StartCPUProfile then prints "cannot set cpu profile
// rate", and keeps the rate set before it: the documented way to profile faster.)
func benchCPU(runs int, seconds float64, hz int, dir string) {
	n := calibrate(time.Duration(seconds*float64(time.Second)), timeMix)
	off := func(int) span { return timeMix(n) }
	on := func(int) span {
		f, err := os.Create(filepath.Join(dir, "overhead-cpu.prof"))
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		if hz != 100 {
			runtime.SetCPUProfileRate(hz)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		d := timeMix(n)
		pprof.StopCPUProfile()
		return d
	}
	// Whole runs: a profile of seconds, not a profiler started and stopped every few ms.
	as, bs, detail := paired(runs, 1, off, on)
	scale := float64(hz) / 100
	o := overheads(as, bs)
	for i := range o {
		o[i] /= scale
	}
	detail["iterations"], detail["hz"], detail["scale"] = float64(n), float64(hz), scale
	detail["best_overhead"] /= scale
	name := "cpu_profiler_overhead"
	if hz != 100 {
		name += "_amplified"
	}
	emit(result{Measurement: name, Unit: "%", Samples: o, Detail: detail})
}

// atRate returns one part (of c) of a run of loop over n iterations with MemProfileRate = rate.
func atRate(rate int, n uint64, loop func(uint64)) func(c int) span {
	return func(c int) span {
		runtime.MemProfileRate = rate
		return measure(func() { loop(n / uint64(c)) })
	}
}

var allocSink []byte

//go:noinline
func allocLoop(n uint64) {
	sizes := [8]int{16, 24, 32, 48, 64, 80, 96, 128}
	for i := uint64(0); i < n; i++ {
		allocSink = make([]byte, sizes[i&7])
	}
}

// benchAlloc is the nearest Go peer of the per-pair malloc cost: what the memory profiler at its
// default rate adds to each small allocation (allocation and GC are Go's, not tcmalloc's).
func benchAlloc(runs int) {
	n := calibrate(400*time.Millisecond, func(n uint64) span {
		return measure(func() { allocLoop(n) })
	})
	n = n / chunks * chunks
	rate := runtime.MemProfileRate
	as, bs, detail := paired(runs, chunks, atRate(0, n, allocLoop), atRate(rate, n, allocLoop))
	runtime.MemProfileRate = rate
	diffs := make([]float64, len(as))
	for i := range as {
		diffs[i] = (bs[i] - as[i]) * 1e9 / float64(n)
	}
	emit(result{Measurement: "alloc_sampler_cost", Unit: "ns", Samples: diffs,
		Detail: map[string]float64{"allocations": float64(n), "rate": float64(rate),
			"off_ns": median(as) * 1e9 / float64(n), "on_ns": median(bs) * 1e9 / float64(n),
			"best":          (minimum(bs) - minimum(as)) * 1e9 / float64(n),
			"best_overhead": detail["best_overhead"]}})
}

type item struct {
	Name   string            `json:"name"`
	ID     int               `json:"id"`
	Score  float64           `json:"score"`
	Active bool              `json:"active"`
	Tags   []string          `json:"tags"`
	Attrs  map[string]string `json:"attrs"`
}

var jsonSink []byte

// jsonLoop serializes the same small object as bench/c/gz-bench-json.c, n times.
//
//go:noinline
func jsonLoop(n uint64) {
	for i := uint64(0); i < n; i++ {
		v := item{Name: "gz profile", ID: int(i), Score: float64(i) * 0.5, Active: i&1 == 0,
			Tags:  []string{"alpha", "beta", "gamma"},
			Attrs: map[string]string{"host": "localhost", "unit": "ns"}}
		b, err := json.Marshal(&v)
		if err != nil {
			fatal(err)
		}
		jsonSink = b
	}
}

// amplify: the second JSON measurement samples this many times more often, then divides the
// overhead by it, as bench/c does: the overhead grows with the number of samples and so stands
// out of the noise of a busy machine.
const amplify = 16

func benchJSON(runs int) {
	n := calibrate(400*time.Millisecond, func(n uint64) span {
		return measure(func() { jsonLoop(n) })
	})
	n = n / chunks * chunks
	defaultRate := runtime.MemProfileRate
	at := func(measurement string, rate int, scale float64) {
		as, bs, detail := paired(runs, chunks, atRate(0, n, jsonLoop), atRate(rate, n, jsonLoop))
		runtime.MemProfileRate = defaultRate
		o := overheads(as, bs)
		for i := range o {
			o[i] /= scale
		}
		detail["iterations"], detail["rate"] = float64(n), float64(rate)
		detail["scale"], detail["best_overhead"] = scale, detail["best_overhead"]/scale
		emit(result{Measurement: measurement, Unit: "%", Samples: o, Detail: detail})
	}
	at("json_sampler_overhead", defaultRate, 1)
	at("json_sampler_overhead_amplified", defaultRate/amplify, amplify)
}

var held [][]byte

//go:noinline
func holdMemory() {
	for i := 0; i < 4096; i++ {
		held = append(held, make([]byte, 4096))
	}
}

// prepare gives each profile something to show, like bench/c does for gz: parked goroutines,
// mutex contention and blocking, and live heap.
func prepare() (stop func()) {
	holdMemory()
	runtime.SetBlockProfileRate(10000) // gz's default block-rate, in ns
	runtime.SetMutexProfileFraction(5) // gz's default mutex-fraction
	quit := make(chan struct{})
	var parked sync.WaitGroup
	for i := 0; i < 8; i++ {
		parked.Add(1)
		go func() { defer parked.Done(); <-quit }()
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(200 * time.Millisecond)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				mu.Lock()
				sink += mix(2000, sink)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return func() { close(quit); parked.Wait(); held = nil }
}

func writeProfile(dir, name string, write func(io.Writer) error) time.Duration {
	path := filepath.Join(dir, "write-"+name+".prof")
	t0 := time.Now()
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := write(f); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	return time.Since(t0)
}

func benchWrite(runs int, dir string) {
	stop := prepare()
	defer stop()

	// gz's names for the six types, with Go's profile behind each.
	types := []struct{ gz, goName string }{
		{"memory", "heap"}, {"goroutine", "goroutine"}, {"block", "block"},
		{"mutex", "mutex"}, {"threadcreate", "threadcreate"},
	}
	for _, t := range types {
		p := pprof.Lookup(t.goName)
		take := func() time.Duration {
			return writeProfile(dir, t.gz, func(w io.Writer) error { return p.WriteTo(w, 0) })
		}
		take() // warm-up
		var ms []float64
		for i := 0; i < runs; i++ {
			ms = append(ms, float64(take().Microseconds())/1000)
		}
		emit(result{Measurement: "write_" + t.gz, Unit: "ms", Samples: ms,
			Detail: map[string]float64{"bytes": fileSize(dir, t.gz)}})
	}

	// cpu: profile 1 s of the loop, then time stopping and writing it.
	n := calibrate(time.Second, timeMix)
	var ms []float64
	for i := 0; i < runs+1; i++ {
		f, err := os.Create(filepath.Join(dir, "write-cpu.prof"))
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		timeMix(n)
		t0 := time.Now()
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fatal(err)
		}
		if i > 0 { // the first is the warm-up
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	emit(result{Measurement: "write_cpu", Unit: "ms", Samples: ms,
		Detail: map[string]float64{"bytes": fileSize(dir, "cpu")}})
}

func fileSize(dir, name string) float64 {
	st, err := os.Stat(filepath.Join(dir, "write-"+name+".prof"))
	if err != nil {
		fatal(err)
	}
	return float64(st.Size())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gobench:", err)
	os.Exit(1)
}

func main() {
	runs := flag.Int("runs", 7, "alternating runs per measurement")
	cpuSeconds := flag.Float64("cpu-seconds", 2, "seconds of one CPU-loop run")
	cpuHz := flag.Int("cpu-hz", 100, "CPU profiling rate; above 100 the overhead is divided by hz/100")
	outdir := flag.String("outdir", "", "where profiles are written (default: a temporary directory)")
	only := flag.String("only", "cpu,alloc,json,write", "measurements to run")
	flag.Parse()

	dir := *outdir
	if dir == "" {
		d, err := os.MkdirTemp("", "gobench-")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}

	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		want[strings.TrimSpace(s)] = true
	}
	if want["cpu"] {
		benchCPU(*runs, *cpuSeconds, *cpuHz, dir)
	}
	if want["alloc"] {
		benchAlloc(*runs * 2)
	}
	if want["json"] {
		benchJSON(*runs * 2)
	}
	if want["write"] {
		benchWrite(*runs, dir)
	}
}
