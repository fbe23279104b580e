// Command argocd-conformance runs Argo CD's own ApplicationSet controller and repo-server code
// over a repository laid out like the platform monorepo, and writes what Argo CD generates and
// renders as JSON, so the gitops tool's output can be compared with it.
//
// Invoked as `helm` (through a symlink first on PATH) it is instead a recording shim for the
// real helm: see shim.go.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	log "github.com/sirupsen/logrus"
)

// argocdVersion is the Argo CD release this program is built against (go.mod).
const argocdVersion = "v3.5.7"

func main() {
	if filepath.Base(os.Args[0]) == "helm" {
		os.Exit(runShim(os.Args[1:]))
	}
	repoDir := flag.String("repo", "", "a committed git repository laid out like the platform monorepo")
	outFile := flag.String("out", "", "where to write the JSON report")
	verbose := flag.Bool("verbose", false, "print Argo CD's logs to stderr")
	flag.Parse()
	if *repoDir == "" || *outFile == "" {
		fmt.Fprintln(os.Stderr, "usage: argocd-conformance --repo DIR --out FILE")
		os.Exit(2)
	}
	if *verbose {
		log.SetLevel(log.DebugLevel)
	} else {
		log.SetOutput(io.Discard)
	}
	report, err := run(context.Background(), *repoDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argocd-conformance: %v\n", err)
		os.Exit(2)
	}
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		fmt.Fprintf(os.Stderr, "argocd-conformance: %v\n", err)
		os.Exit(2)
	}
	tmp := *outFile + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "argocd-conformance: %v\n", err)
		os.Exit(2)
	}
	if err := os.Rename(tmp, *outFile); err != nil {
		fmt.Fprintf(os.Stderr, "argocd-conformance: %v\n", err)
		os.Exit(2)
	}
}
