// Command helm-renderer runs helm's own commands (helm.sh/helm/v4/pkg/cmd, the code behind the
// helm binary) once per request, many requests per process, so rendering a fleet does not pay
// helm's process start-up once per Application.
//
// Protocol: one JSON request per line on stdin, {"id", "cwd", "args", "env", "argv0"}; one JSON response
// per line on stdout, {"id", "exitCode", "stdout", "stderr"} with stdout and stderr base64
// encoded (helm's bytes, exactly, whatever their encoding). The first line written is
// {"ready": true, "version": "<helm version>", "protocol": 1}.
//
// Requests are served one at a time: helm's CLI keeps its settings, flags and logging in
// process globals, and each request runs with its own working directory and environment.
// Run several processes for several renders at once.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	_ "unsafe" // go:linkname, see helmSettings

	"github.com/fatih/color"
	"golang.org/x/sys/unix"

	// As the helm binary does: client auth plugins register themselves at init.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/cli"
	helmcmd "helm.sh/helm/v4/pkg/cmd"
	"helm.sh/helm/v4/pkg/kube"
)

// helm's CLI settings are a package variable, initialised once from the environment when a helm
// process starts, and every flag default is read from it: without a fresh copy per request a
// --namespace or --debug of one request would become the default of the next.
//
//go:linkname helmSettings helm.sh/helm/v4/pkg/cmd.settings
var helmSettings *cli.EnvSettings

// Each helm root command registers its initializer with cobra's global list; a process runs
// it once, a long-lived one would run every earlier request's initializer again.
//
//go:linkname cobraInitializers github.com/spf13/cobra.initializers
var cobraInitializers []func()

//go:linkname cobraFinalizers github.com/spf13/cobra.finalizers
var cobraFinalizers []func()

const protocolVersion = 1

// This program's own path: helm's os.Args[0] for a request that names no other binary.
var ownPath string

type request struct {
	ID   int64             `json:"id"`
	Cwd  string            `json:"cwd"`
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
	// The helm binary this request stands in for: helm reads its own path from os.Args[0]
	// (HELM_BIN, which plugins run).
	Argv0 string `json:"argv0"`
}

type response struct {
	ID       int64  `json:"id"`
	ExitCode int    `json:"exitCode"`
	Stdout   []byte `json:"stdout"`
	Stderr   []byte `json:"stderr"`
	// Set when the request could not be run at all (e.g. its cwd does not exist), as a failed
	// spawn of the helm binary would be.
	Error string `json:"error,omitempty"`
}

type ready struct {
	Ready    bool   `json:"ready"`
	Version  string `json:"version"`
	Protocol int    `json:"protocol"`
}

func main() {
	if err := serve(); err != nil {
		fmt.Fprintf(os.Stderr, "helm-renderer: %v\n", err)
		os.Exit(2)
	}
}

func serve() error {
	// The protocol runs on private copies of fds 0 and 1. fds 0, 1 and 2 themselves are what
	// helm reads and writes during a request, as in a helm process: stdin is empty, stdout and
	// stderr are capture files. Redirecting the descriptors (not os.Stdout) also catches what
	// loggers and fmt.Printf inside helm write, in the order they write it.
	protoIn, err := dupFile(0, "protocol-in")
	if err != nil {
		return err
	}
	protoOut, err := dupFile(1, "protocol-out")
	if err != nil {
		return err
	}
	diag, err := dupFile(2, "diagnostics")
	if err != nil {
		return err
	}
	// A long-lived renderer allocates heavily per chart (values schema compile, template parse,
	// manifest sort) and keeps little between requests: a quarter of the collections of the
	// default halves its garbage-collection CPU for a peak heap near 150 MiB. GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// A fatal error (not a recoverable panic) still reaches whoever started this process.
	if err := debug.SetCrashOutput(diag, debug.CrashOptions{}); err != nil {
		return err
	}
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	if err := unix.Dup2(int(devNull.Fd()), 0); err != nil {
		return fmt.Errorf("redirect stdin: %w", err)
	}
	stdout, err := captureFile(1)
	if err != nil {
		return err
	}
	stderr, err := captureFile(2)
	if err != nil {
		return err
	}

	// As the helm binary's main does.
	kube.ManagedFieldsManager = "helm"
	ownPath = os.Args[0]

	in := bufio.NewReaderSize(protoIn, 1<<20)
	out := bufio.NewWriter(protoOut)
	enc := json.NewEncoder(out)
	if err := writeLine(out, enc, ready{Ready: true, Version: common.DefaultCapabilities.HelmVersion.Version, Protocol: protocolVersion}); err != nil {
		return err
	}
	for {
		line, err := in.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read request: %w", err)
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			return fmt.Errorf("bad request line: %w", err)
		}
		resp, panicked := handle(req, stdout, stderr)
		if err := writeLine(out, enc, resp); err != nil {
			return err
		}
		if panicked {
			// helm's globals may be half-updated; a fresh process is the only clean state.
			os.Exit(2)
		}
	}
}

func writeLine(out *bufio.Writer, enc *json.Encoder, v any) error {
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return out.Flush()
}

// handle runs one helm command line as a helm process started in req.Cwd with exactly req.Env.
func handle(req request, stdout, stderr *os.File) (resp response, panicked bool) {
	resp.ID = req.ID
	os.Clearenv()
	keys := make([]string, 0, len(req.Env))
	for k := range req.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := os.Setenv(k, req.Env[k]); err != nil {
			resp.Error = fmt.Sprintf("environment variable %q: %v", k, err)
			return resp, false
		}
	}
	if err := os.Chdir(req.Cwd); err != nil {
		resp.Error = fmt.Sprintf("working directory: %v", err)
		return resp, false
	}
	resetHelmGlobals()
	os.Args = []string{req.Argv0}
	if req.Argv0 == "" {
		os.Args[0] = ownPath
	}

	args := req.Args
	if args == nil {
		// cobra falls back to os.Args for a nil list.
		args = []string{}
	}
	resp.ExitCode, panicked = runHelm(args)

	var err error
	if resp.Stdout, err = drain(stdout); err == nil {
		resp.Stderr, err = drain(stderr)
	}
	if err != nil {
		resp.Error = fmt.Sprintf("read helm's output: %v", err)
	}
	return resp, panicked
}

// resetHelmGlobals gives helm the state a new helm process starts with, for the current
// environment.
func resetHelmGlobals() {
	helmSettings = cli.New()
	cobraInitializers = nil
	cobraFinalizers = nil
	// What fatih/color computes at start-up when stdout is not a terminal (the capture file, or
	// the pipe a helm process writes to); helm overrides it for --color never/always.
	color.NoColor = true
}

// runHelm is the helm binary's main (helm.sh/helm/v4/cmd/helm), returning its exit status.
func runHelm(args []string) (exitCode int, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			// What the Go runtime prints for an unrecovered panic, and its exit status.
			fmt.Fprintf(os.Stderr, "panic: %v\n\ngoroutine 1 [running]:\n%s", r, debug.Stack())
			exitCode, panicked = 2, true
		}
	}()
	cmd, err := helmcmd.NewRootCmd(os.Stdout, args, helmcmd.SetupLogging)
	if err != nil {
		slog.Warn("command failed", slog.Any("error", err))
		return 1, false
	}
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		if cerr, ok := err.(helmcmd.CommandError); ok {
			return cerr.ExitCode, false
		}
		return 1, false
	}
	return 0, false
}

func dupFile(fd int, name string) (*os.File, error) {
	nfd, err := unix.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("dup %s: %w", name, err)
	}
	unix.CloseOnExec(nfd)
	return os.NewFile(uintptr(nfd), name), nil
}

// captureFile points fd at a fresh, already unlinked temporary file and returns a handle on it.
func captureFile(fd int) (*os.File, error) {
	f, err := os.CreateTemp("", "helm-renderer-*")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: nothing is left behind however this process ends.
	if err := os.Remove(f.Name()); err != nil {
		return nil, err
	}
	if err := unix.Dup2(int(f.Fd()), fd); err != nil {
		return nil, fmt.Errorf("redirect fd %d: %w", fd, err)
	}
	return f, nil
}

// drain returns what was written to f since the last drain and empties it. f shares its file
// offset with the fd it was dup'ed onto, so rewinding f rewinds helm's writes too.
func drain(f *os.File) ([]byte, error) {
	end, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	data := make([]byte, end)
	if _, err := f.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return data, nil
}
