// brokerlab's Google Cloud Pub/Sub emulator: the Go client library's in-memory fake server
// (cloud.google.com/go/pubsub/v2/pstest), served on a TCP port so that any Pub/Sub client
// (Node, Python, Go, Java) reaches it through PUBSUB_EMULATOR_HOST, as it would Google's
// own emulator. Google's emulator ships with the Cloud SDK, which the package registries
// brokerlab installs from do not serve; pstest does (a Go module), and it implements what the
// lab's exercises use: topics, subscriptions with filters, ack deadlines, dead-letter
// policies, ordering keys. State is in memory: a restart starts empty.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	host := flag.String("host", "127.0.0.1", "interface to listen on")
	port := flag.Int("port", 8085, "port to listen on")
	flag.Parse()

	server := pstest.NewServerWithAddress(fmt.Sprintf("%s:%d", *host, *port))
	fmt.Printf("brokerlab pubsub emulator (pstest) listening on %s\n", server.Addr)

	// Stop on SIGTERM (brokerlab down) or Ctrl-C, closing the listener first.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	if err := server.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
		os.Exit(1)
	}
}
