// Command kumoaccount runs one kumo emulator — one simulated account — and
// prints its URL. Router tests start it to get a second account, since kumo
// keeps one global store per process.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/sivchari/kumo"
)

func main() {
	srv := kumo.NewServer()
	defer srv.Close()
	fmt.Println(srv.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	// Exit when the parent goes away (stdin closes), so a crashed test run
	// leaves no emulator behind.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop <- os.Interrupt
	}()
	<-stop
}
