// The Go servers of `./weft bench multicore` (built by GoServers with `go build`, standard library
// only): `benchserver http` answers any request with 200 text/plain "Hello, World!" (net/http,
// keep-alive); `benchserver echo` echoes what each connection sends (a goroutine per connection).
// Both listen on 127.0.0.1 on a free port, print "PORT <n>", and exit when standard input says
// "stop" or closes. GOMAXPROCS (from the environment) sets how many threads run goroutines.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

var hello = []byte("Hello, World!")

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "http" && os.Args[1] != "echo") {
		fmt.Fprintln(os.Stderr, "usage: benchserver http|echo")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserver: cannot listen:", err)
		os.Exit(1)
	}
	if os.Args[1] == "http" {
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "13")
			w.Write(hello)
		}))
	} else {
		go acceptEcho(ln)
	}
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "stop" {
			break
		}
	}
	os.Exit(0)
}

func acceptEcho(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.(*net.TCPConn).SetNoDelay(true)
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 4096) // a plain read/write loop (io.Copy would splice through a pipe)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}(c)
	}
}
