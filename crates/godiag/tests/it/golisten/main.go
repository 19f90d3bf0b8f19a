// golisten is the Go peer of godiag's reachability tests: it listens exactly as a Go
// server would (net.Listen(NETWORK, ADDRESS)), prints the bound address, and answers
// every HTTP request with 200.
//
//	golisten NETWORK ADDRESS    e.g. golisten tcp :8080, golisten tcp6 :0
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: golisten NETWORK ADDRESS")
		os.Exit(2)
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
