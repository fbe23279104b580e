package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/argoproj/argo-cd/v3/controller"
	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	appfake "github.com/argoproj/argo-cd/v3/pkg/client/clientset/versioned/fake"
	"github.com/argoproj/argo-cd/v3/util/argo"
	"github.com/argoproj/argo-cd/v3/util/argo/normalizers"
)

type renderResult struct {
	Application string           `json:"application"`
	Error       string           `json:"error,omitempty"`
	Helm        []normalizedCall `json:"helm"`
	Manifests   []map[string]any `json:"manifests"`
}

type normalizedCall struct {
	Args         []string `json:"args"`
	Cwd          string   `json:"cwd"`
	ExitCode     int      `json:"exitCode"`
	Stdout       string   `json:"stdout"`
	InlineValues *string  `json:"inlineValues,omitempty"`
}

// renderApplications renders each Application as the application controller does on a
// refresh: its spec checked against its project (refreshAppConditions), then GetRepoObjs,
// which builds the repo-server's ManifestRequest per source and calls GenerateManifest.
func (cp *controlPlane) renderApplications(ctx context.Context, apps []argov1alpha1.Application, paths *pathNormalizer, shimLog string) ([]renderResult, error) {
	appLabelKey, err := cp.settingsMgr.GetAppInstanceLabelKey()
	if err != nil {
		return nil, err
	}
	sm := controller.NewAppStateManager(cp.db, appfake.NewSimpleClientset(), repoClientset{svc: cp.repoServer}, argocdNamespace,
		nil, nil, cp.settingsMgr, clusterModel{envs: cp.model.environments}, nil, nil, time.Minute,
		argo.NewResourceTracking(), false, 0, false, normalizers.IgnoreNormalizerOpts{})
	var out []renderResult
	for i := range apps {
		app := apps[i].DeepCopy()
		res := renderResult{Application: app.Name, Helm: []normalizedCall{}, Manifests: []map[string]any{}}
		before := logSize(shimLog)
		res.Error = cp.renderOne(ctx, sm, app, appLabelKey, &res)
		calls, err := readCalls(shimLog, before)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			res.Helm = append(res.Helm, paths.call(c))
		}
		out = append(out, res)
	}
	return out, nil
}

func (cp *controlPlane) renderOne(ctx context.Context, sm controller.AppStateManager, app *argov1alpha1.Application, appLabelKey string, res *renderResult) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("harness: Argo CD called a repo-server method this harness does not forward: %v", r)
		}
	}()
	var proj *argov1alpha1.AppProject
	for i := range cp.model.projects {
		if cp.model.projects[i].Name == app.Spec.Project {
			proj = cp.model.projects[i].DeepCopy()
		}
	}
	if proj == nil {
		return fmt.Sprintf("application references project %s which does not exist", app.Spec.Project)
	}
	conditions, err := argo.ValidatePermissions(ctx, &app.Spec, proj, cp.db)
	if err != nil {
		return err.Error()
	}
	if len(conditions) > 0 {
		var msgs []string
		for _, c := range conditions {
			msgs = append(msgs, c.Message)
		}
		return strings.Join(msgs, "; ")
	}
	sources := app.Spec.GetSources()
	revisions := make([]string, 0, len(sources))
	for _, s := range sources {
		revisions = append(revisions, s.TargetRevision)
	}
	// noCache as a hard refresh does, so every Application runs its own helm.
	objs, _, _, err := sm.GetRepoObjs(ctx, app, sources, appLabelKey, revisions, true, false, proj.EffectiveSourceIntegrity(), proj, true)
	if err != nil {
		return "Failed to load target state: " + err.Error()
	}
	for _, o := range objs {
		res.Manifests = append(res.Manifests, o.Object)
	}
	return ""
}

func logSize(file string) int64 {
	st, err := os.Stat(file)
	if err != nil {
		return 0
	}
	return st.Size()
}

func readCalls(file string, from int64) ([]helmCall, error) {
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(from, 0); err != nil {
		return nil, err
	}
	var calls []helmCall
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var c helmCall
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("helm shim log: %w", err)
		}
		calls = append(calls, c)
	}
	return calls, sc.Err()
}

// pathNormalizer turns the repo-server's absolute paths into names that compare across runs:
// a path in a Git checkout becomes repository-relative, an extracted chart becomes
// oci:<chart>[/file], the inline values file <inline values>, other temp paths <tmp>/….
type pathNormalizer struct {
	rootDir string // the repo-server's root (checkouts and extracted charts)
	tmpDir  string
}

var uuidName = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func (p *pathNormalizer) path(s string) string {
	if !filepath.IsAbs(s) {
		return s
	}
	s = filepath.Clean(s)
	if rest, ok := under(s, p.rootDir); ok {
		top, inner, _ := strings.Cut(rest, string(filepath.Separator))
		if _, err := os.Stat(filepath.Join(p.rootDir, top, ".git")); err == nil || isGitDir(filepath.Join(p.rootDir, top)) {
			if inner == "" {
				return "."
			}
			return filepath.ToSlash(inner)
		}
		// An extracted chart: <root>/<random>/<chart>/…
		if inner == "" {
			return "<chart dir>"
		}
		return "oci:" + filepath.ToSlash(inner)
	}
	if rest, ok := under(s, p.tmpDir); ok {
		if uuidName.MatchString(rest) {
			return "<inline values>"
		}
		parts := strings.Split(filepath.ToSlash(rest), "/")
		return "<tmp>/" + strings.Join(parts[1:], "/")
	}
	return s
}

func isGitDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "HEAD"))
	_, err2 := os.Stat(filepath.Join(dir, "objects"))
	return err == nil && err2 == nil
}

func under(s, dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	if strings.HasPrefix(s, dir+string(filepath.Separator)) {
		return s[len(dir)+1:], true
	}
	return "", false
}

func (p *pathNormalizer) call(c helmCall) normalizedCall {
	n := normalizedCall{Cwd: p.path(c.Cwd), ExitCode: c.ExitCode, Stdout: c.Stdout, Args: make([]string, len(c.Args))}
	for i, a := range c.Args {
		if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "--") && filepath.IsAbs(v) {
			n.Args[i] = k + "=" + p.path(v)
			continue
		}
		n.Args[i] = p.path(a)
		if n.Args[i] == "<inline values>" {
			if content, ok := c.TempValues[a]; ok {
				n.InlineValues = &content
			}
		}
	}
	return n
}
