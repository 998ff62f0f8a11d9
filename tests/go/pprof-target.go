// pprof-target.go: a Go service with net/http/pprof (standard library only) whose known hot
// function, hotSpin, takes nearly all of its CPU; the target of gz-cli's --url tests. It
// listens on 127.0.0.1 at a free port, prints "PORT N" and serves until killed.
// SPDX-License-Identifier: GPL-3.0-or-later
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var sink uint64

//go:noinline
func hotSpin(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// heldBlocks keeps 64 blocks of 1 MiB alive, allocated by keepMemory.
var heldBlocks [][]byte

//go:noinline
func keepMemory() {
	for i := 0; i < 64; i++ {
		heldBlocks = append(heldBlocks, make([]byte, 1<<20))
	}
}

// contend makes goroutines wait on one mutex, for the mutex and block profiles.
func contend() {
	var mu sync.Mutex
	for g := 0; g < 4; g++ {
		go func() {
			for {
				mu.Lock()
				time.Sleep(time.Millisecond)
				mu.Unlock()
			}
		}()
	}
}

func main() {
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	keepMemory()
	contend()
	go func() {
		for {
			sink += hotSpin(1 << 20)
		}
	}()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Printf("PORT %d\n", listener.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	if err := http.Serve(listener, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
