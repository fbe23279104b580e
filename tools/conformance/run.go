package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed image/git-verify-wrapper.sh
var gitVerifyWrapper []byte

type report struct {
	ArgocdVersion   string         `json:"argocdVersion"`
	ApplicationSets []appSetResult `json:"applicationSets"`
	Renders         []renderResult `json:"renders"`
}

func run(ctx context.Context, repoDir string) (*report, error) {
	repoDir, err := filepath.Abs(repoDir)
	if err != nil {
		return nil, err
	}
	model, err := loadRepo(repoDir)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "argocd-conformance-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	work, _ = filepath.EvalSymlinks(work)
	// Everything Argo CD writes to the temp dir (helm homes, inline values files, pulled
	// charts) lands in a directory of its own, so its paths can be recognised.
	tmpDir := filepath.Join(work, "tmp")
	rootDir := filepath.Join(work, "repo-server")
	shimDir := filepath.Join(work, "bin")
	for _, d := range []string{tmpDir, shimDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := installShim(shimDir, filepath.Join(work, "helm-calls.jsonl")); err != nil {
		return nil, err
	}
	os.Setenv("TMPDIR", tmpDir)

	cp, err := newControlPlane(ctx, model, rootDir)
	if err != nil {
		return nil, err
	}
	sets, apps, err := cp.generateApplications(ctx)
	if err != nil {
		return nil, fmt.Errorf("applicationset controller: %w", err)
	}
	renders, err := cp.renderApplications(ctx, apps, &pathNormalizer{rootDir: rootDir, tmpDir: tmpDir}, os.Getenv(envShimLog))
	if err != nil {
		return nil, fmt.Errorf("application controller: %w", err)
	}
	if sets == nil {
		sets = []appSetResult{}
	}
	if renders == nil {
		renders = []renderResult{}
	}
	return &report{ArgocdVersion: argocdVersion, ApplicationSets: sets, Renders: renders}, nil
}

// installShim puts this program first on PATH under the name helm, recording into logFile.
func installShim(shimDir, logFile string) error {
	real, err := realHelm()
	if err != nil {
		return fmt.Errorf("no helm to forward to (set GITOPS_HELM_BIN): %w", err)
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.Symlink(exe, filepath.Join(shimDir, "helm")); err != nil {
		return err
	}
	// The repo-server runs the scripts Argo CD's image installs beside it (hack/ in Argo CD's
	// source, copied unchanged into image/).
	if err := os.WriteFile(filepath.Join(shimDir, "git-verify-wrapper.sh"), gitVerifyWrapper, 0o755); err != nil {
		return err
	}
	os.Setenv(envShimReal, real)
	os.Setenv(envShimLog, logFile)
	os.Setenv(envShimDir, shimDir)
	os.Setenv("PATH", shimDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return nil
}
