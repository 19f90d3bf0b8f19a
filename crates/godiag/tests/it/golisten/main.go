// golisten is the Go peer of godiag's reachability tests. It listens exactly as a Go
// server would, or dials as a Go client would:
//
//	golisten NETWORK ADDRESS   net.Listen(NETWORK, ADDRESS), print "listening ADDR", answer HTTP 200
//	golisten dial ADDRESS      net.DialTimeout("tcp", ADDRESS, 1.5s), print how it ended:
//	                           open, refused, timeout, unreachable, denied or "error: ..."
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: golisten NETWORK ADDRESS | golisten dial ADDRESS")
		os.Exit(2)
	}
	if os.Args[1] == "dial" {
		fmt.Println(dial(os.Args[2]))
		return
	}
	ln, err := net.Listen(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening", ln.Addr())
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func dial(address string) string {
	conn, err := net.DialTimeout("tcp", address, 1500*time.Millisecond)
	if err == nil {
		conn.Close()
		return "open"
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return "denied"
	}
	return "error: " + err.Error()
}
