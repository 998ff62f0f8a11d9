// Command gosuites is the Go peer of gz's built-in benchmarks (`gz-cli profile benchmark`): the
// same operations, measured with testing.Benchmark and the standard library only. It prints one
// JSON line per benchmark run: name, ns_per_op, allocs_per_op, bytes_per_op, n (and, for
// os-thread-creation, threads_per_op: the share of operations that ran on a new OS thread).
//
// Usage:
//
//	go build -o gosuites . && ./gosuites [-bench NAME|all] [-benchtime 500ms] [-count 1]
//	./gosuites -list
// SPDX-License-Identifier: GPL-3.0-or-later
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Sinks the compiler cannot see through: what an operation made is stored here, so the work
// that made it is not dropped and a []byte escapes to the heap like C's malloc.
var (
	sinkBytes  []byte
	sinkString string
	sinkInt    int
)

type document struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Items   []int  `json:"items"`
}

var doc = document{Name: "test", Version: "1.0.0", Items: []int{1, 2, 3, 4, 5}}

var docJSON = []byte(`{"name":"test","version":"1.0.0","items":[1,2,3,4,5]}`)

func memoryAllocation(b *testing.B) {
	for i := 0; i < b.N; i++ {
		buf := make([]byte, 1024)
		for j := range buf {
			buf[j] = byte(i % 256)
		}
		sinkBytes = buf
	}
	sinkBytes = nil
}

// The same allocation with the fill done the way bytes.Repeat does it: one byte, then copies
// that double (memmove, vectorized like C's memset), so that the allocator, not Go 1.19's byte
// loop, is what is compared.
func memoryAllocationCopyFill(b *testing.B) {
	for i := 0; i < b.N; i++ {
		buf := make([]byte, 1024)
		buf[0] = byte(i % 256)
		for k := 1; k < len(buf); k *= 2 {
			copy(buf[k:], buf[:k])
		}
		sinkBytes = buf
	}
	sinkBytes = nil
}

func goroutineCreation(b *testing.B) {
	done := make(chan struct{})
	for i := 0; i < b.N; i++ {
		go func() { done <- struct{}{} }()
		<-done
	}
}

// A goroutine that exits while locked to its thread takes the thread with it (Go >= 1.10 on
// Linux), so in steady state every operation costs one OS thread exit and one creation (newm ->
// clone). The creation is not awaited as pthread_join awaits the exit in C: it happens when the
// scheduler next needs an M, so it may overlap the following operation. Each goroutine sends
// its thread id; distinct ids over operations is the share that ran on a thread of its own.
func osThreadCreation(b *testing.B) {
	done := make(chan int32)
	tids := make([]int32, b.N)
	b.ResetTimer() // the slice is not the operation's allocation
	for i := 0; i < b.N; i++ {
		go func() {
			runtime.LockOSThread()
			done <- int32(syscall.Gettid())
		}()
		tids[i] = <-done
	}
	b.StopTimer()
	sort.Slice(tids, func(i, j int) bool { return tids[i] < tids[j] })
	distinct := 0
	for i, t := range tids {
		if i == 0 || t != tids[i-1] {
			distinct++
		}
	}
	// The last call of the benchmark function is the one testing.Benchmark reports.
	freshThreads, freshOps = distinct, b.N
}

var freshThreads, freshOps int

func channelOperations(b *testing.B) {
	ch := make(chan int, 1)
	for i := 0; i < b.N; i++ {
		ch <- i
		sinkInt = <-ch
	}
}

func jsonMarshal(b *testing.B) {
	for i := 0; i < b.N; i++ {
		out, err := json.Marshal(&doc)
		if err != nil {
			b.Fatal(err)
		}
		sinkInt = len(out)
	}
}

func jsonUnmarshal(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var d document
		if err := json.Unmarshal(docJSON, &d); err != nil {
			b.Fatal(err)
		}
		sinkInt = d.Items[4] + len(d.Name) + len(d.Version)
	}
}

func stringOperations(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var sb strings.Builder
		for j := 0; j < 100; j++ {
			sb.WriteString("test")
			sb.WriteString(strconv.Itoa(j))
		}
		sinkString = sb.String()
	}
}

// The empty operation: testing.B's own cost per operation, the loop alone.
func noop(b *testing.B) {
	for i := 0; i < b.N; i++ {
	}
}

type bench struct {
	name string // gz's suite name, or a Go variant of one (see bench/suites/table.py)
	f    func(*testing.B)
}

var benches = []bench{
	{"memory-allocation", memoryAllocation},
	{"memory-allocation-copy-fill", memoryAllocationCopyFill},
	{"goroutine-creation", goroutineCreation},
	{"os-thread-creation", osThreadCreation},
	{"channel-operations", channelOperations},
	{"json-marshal", jsonMarshal},
	{"json-unmarshal", jsonUnmarshal},
	{"string-operations", stringOperations},
	{"noop", noop},
}

type line struct {
	Name         string   `json:"name"`
	N            int      `json:"n"`
	NsPerOp      float64  `json:"ns_per_op"`
	AllocsPerOp  float64  `json:"allocs_per_op"`
	BytesPerOp   float64  `json:"bytes_per_op"`
	ThreadsPerOp *float64 `json:"threads_per_op,omitempty"`
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gosuites: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	// testing.Init registers -test.benchtime, which testing.Benchmark reads.
	testing.Init()
	name := flag.String("bench", "all", "benchmark to run, or all (see -list)")
	benchtime := flag.String("benchtime", "500ms", "target time of the measured run (testing's -benchtime)")
	count := flag.Int("count", 1, "runs of each benchmark, one JSON line each")
	list := flag.Bool("list", false, "list the benchmarks")
	flag.Parse()

	if *list {
		for _, b := range benches {
			fmt.Println(b.name)
		}
		return
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fatal("invalid -benchtime %q: %v", *benchtime, err)
	}
	if *count < 1 {
		fatal("-count must be at least 1")
	}

	var todo []bench
	for _, b := range benches {
		if *name == "all" || *name == b.name {
			todo = append(todo, b)
		}
	}
	if len(todo) == 0 {
		names := make([]string, len(benches))
		for i, b := range benches {
			names[i] = b.name
		}
		fatal("unknown benchmark: %s; use one of: %s, all", *name, strings.Join(names, ", "))
	}

	enc := json.NewEncoder(os.Stdout)
	for _, b := range todo {
		for c := 0; c < *count; c++ {
			f := b.f
			r := testing.Benchmark(func(tb *testing.B) {
				tb.ReportAllocs()
				f(tb)
			})
			if r.N == 0 {
				fatal("%s did not run (it called b.Fatal or b.Skip)", b.name)
			}
			n := float64(r.N)
			out := line{
				Name: b.name, N: r.N,
				// Not r.NsPerOp() and r.AllocsPerOp(): they truncate to integers.
				NsPerOp:     float64(r.T.Nanoseconds()) / n,
				AllocsPerOp: float64(r.MemAllocs) / n,
				BytesPerOp:  float64(r.MemBytes) / n,
			}
			if b.name == "os-thread-creation" && freshOps == r.N {
				// Operations that ran on a thread no other one of the run used.
				t := float64(freshThreads) / n
				out.ThreadsPerOp = &t
			}
			if err := enc.Encode(out); err != nil {
				fatal("%v", err)
			}
		}
	}
}
