// profile-writer.go: writes the profiles Go writes, for gz's decoder and `gz-cli profile top`
// tests (standard library only): runtime/pprof's CPU and heap profiles with recursion, inlined
// calls and labels, and net/http/pprof's mutex, block and goroutine profiles, fetched from an
// in-process server. Usage: profile-writer DIR (writes DIR/cpu.prof, heap.prof, mutex.prof,
// block.prof, goroutine.prof).
// SPDX-License-Identifier: GPL-3.0-or-later
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var sink uint64
var held [][]byte

// mix is small enough to be inlined into its callers: inlined frames in the profile.
func mix(x uint64) uint64 { return x*6364136223846793005 + 1442695040888963407 }

//go:noinline
func leafWork(n int) uint64 {
	x := uint64(n)
	for i := 0; i < 20000; i++ {
		x = mix(x)
	}
	return x
}

// recurse calls itself depth times before working: the same function many times in a stack.
//
//go:noinline
func recurse(depth, n int) uint64 {
	if depth == 0 {
		return leafWork(n)
	}
	return recurse(depth-1, n) + 1
}

// spin does a fixed amount of work (about 0.25 s of CPU here), not a fixed time: CPU samples
// count CPU time, so a busy machine gives as many samples, only later.
//
//go:noinline
func spin(calls, depth int) {
	for i := 0; i < calls; i++ {
		sink += recurse(depth, int(sink&7))
	}
}

//go:noinline
func allocSmall() { held = append(held, make([]byte, 512)) }

//go:noinline
func allocLarge() { held = append(held, make([]byte, 64<<10)) }

func writeProfile(dir, name string, write func(io.Writer) error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile-writer:", err)
		os.Exit(1)
	}
}

func fetch(base, path string) func(io.Writer) error {
	return func(w io.Writer) error {
		resp, err := http.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", path, resp.Status)
		}
		_, err = io.Copy(w, resp.Body)
		return err
	}
}

// contend makes mutex and block events: goroutines that wait for a held lock and a channel.
func contend() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan int)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				mu.Lock()
				time.Sleep(100 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	go func() {
		for i := 0; i < 20; i++ {
			time.Sleep(200 * time.Microsecond)
			ch <- i
		}
	}()
	for i := 0; i < 20; i++ {
		<-ch
	}
	wg.Wait()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: profile-writer DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	runtime.MemProfileRate = 1
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	writeProfile(dir, "cpu.prof", func(w io.Writer) error {
		if err := pprof.StartCPUProfile(w); err != nil {
			return err
		}
		// two labelled phases: labels on the samples
		pprof.Do(context.Background(), pprof.Labels("phase", "shallow"), func(context.Context) {
			spin(12000, 2)
		})
		pprof.Do(context.Background(), pprof.Labels("phase", "deep"), func(context.Context) {
			spin(12000, 12)
		})
		pprof.StopCPUProfile()
		return nil
	})

	for i := 0; i < 2000; i++ {
		allocSmall()
	}
	for i := 0; i < 40; i++ {
		allocLarge()
	}
	runtime.GC()
	writeProfile(dir, "heap.prof", func(w io.Writer) error {
		return pprof.Lookup("heap").WriteTo(w, 0)
	})

	contend()
	server := httptest.NewServer(http.DefaultServeMux)
	defer server.Close()
	for _, name := range []string{"mutex", "block", "goroutine"} {
		writeProfile(dir, name+".prof", fetch(server.URL, "/debug/pprof/"+name))
	}
	runtime.KeepAlive(held)
}
