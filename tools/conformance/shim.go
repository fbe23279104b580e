package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Environment the harness hands to its helm shim.
const (
	envShimLog  = "ARGOCD_CONFORMANCE_HELM_LOG"  // JSON-lines file the shim appends one record to per call
	envShimReal = "ARGOCD_CONFORMANCE_HELM_REAL" // the real helm binary
	envShimDir  = "ARGOCD_CONFORMANCE_SHIM_DIR"  // the directory holding the shim (removed from PATH for the real helm)
)

// helmCall is one helm invocation as the repo-server made it.
type helmCall struct {
	Args     []string `json:"args"`
	Cwd      string   `json:"cwd"`
	ExitCode int      `json:"exitCode"`
	Stdout   string   `json:"stdout"`
	// Files named by --values that live in the temp dir (the repo-server's inline values file
	// is removed right after helm runs), with their content at the time of the call.
	TempValues map[string]string `json:"tempValues,omitempty"`
}

// runShim runs the real helm with the same argv, cwd, environment and stdin, passes its output
// through, and appends a record of the call to the log.
func runShim(args []string) int {
	real := os.Getenv(envShimReal)
	if real == "" {
		fmt.Fprintln(os.Stderr, "helm shim: "+envShimReal+" is not set")
		return 2
	}
	cwd, _ := os.Getwd()
	call := helmCall{Args: args, Cwd: cwd, TempValues: map[string]string{}}
	tmp := os.TempDir()
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--values" || args[i] == "-f" {
			if filepath.Dir(args[i+1]) == filepath.Clean(tmp) {
				if data, err := os.ReadFile(args[i+1]); err == nil {
					call.TempValues[args[i+1]] = string(data)
				}
			}
		}
	}
	var stdout bytes.Buffer
	cmd := exec.Command(real, args...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	cmd.Env = withoutShim(os.Environ())
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		call.ExitCode = exitErr.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "helm shim: %v\n", err)
		call.ExitCode = 127
	}
	call.Stdout = stdout.String()
	_, _ = os.Stdout.Write(stdout.Bytes())
	if err := appendRecord(os.Getenv(envShimLog), call); err != nil {
		fmt.Fprintf(os.Stderr, "helm shim: %v\n", err)
		return 2
	}
	return call.ExitCode
}

// appendRecord writes one JSON line in a single write, so concurrent calls never interleave.
func appendRecord(file string, call helmCall) error {
	line, err := json.Marshal(call)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

// withoutShim drops the shim's directory from PATH, so a helm plugin or helm itself calling
// `helm` reaches the real one.
func withoutShim(env []string) []string {
	dir := os.Getenv(envShimDir)
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") && dir != "" {
			var keep []string
			for _, p := range filepath.SplitList(strings.TrimPrefix(kv, "PATH=")) {
				if p != dir {
					keep = append(keep, p)
				}
			}
			kv = "PATH=" + strings.Join(keep, string(os.PathListSeparator))
		}
		out = append(out, kv)
	}
	return out
}

// realHelm finds the helm the shim forwards to: GITOPS_HELM_BIN, else the repository's pinned
// helm (tools/gitops/.helm/<version>/helm beside this program's tools/conformance/bin), else
// helm on PATH.
func realHelm() (string, error) {
	if p := os.Getenv("GITOPS_HELM_BIN"); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			root := filepath.Join(filepath.Dir(exe), "..", "..", "..")
			matches, _ := filepath.Glob(filepath.Join(root, "tools", "gitops", ".helm", "v*", "helm"))
			pinned := filepath.Join(root, "tools", "gitops", ".helm", "v4.1.4", "helm")
			if _, err := os.Stat(pinned); err == nil {
				return filepath.Clean(pinned), nil
			}
			if len(matches) == 1 {
				return filepath.Clean(matches[0]), nil
			}
		}
	}
	return exec.LookPath("helm")
}
