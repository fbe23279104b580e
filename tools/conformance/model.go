package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"

	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
)

// environment is the cluster model of environments/<env>/environment.yaml: what the
// application controller would learn from the destination cluster.
type environment struct {
	Name    string `json:"name"`
	Cluster struct {
		Name   string `json:"name"`
		Server string `json:"server"`
	} `json:"cluster"`
	KubernetesVersion string   `json:"kubernetesVersion"`
	APIVersions       []string `json:"apiVersions"`
	file              string
}

// repoModel is what the Argo CD control plane would hold for the repository.
type repoModel struct {
	applicationSets []appSetFile
	projects        []argov1alpha1.AppProject
	repoSecrets     []corev1.Secret
	environments    []environment
}

type appSetFile struct {
	file   string // repository-relative
	appSet argov1alpha1.ApplicationSet
}

func loadRepo(dir string) (*repoModel, error) {
	m := &repoModel{}
	err := eachDoc(dir, "argocd/applicationsets/*.yaml", func(file string, doc []byte) error {
		var as argov1alpha1.ApplicationSet
		if err := yaml.UnmarshalStrict(doc, &as); err != nil {
			// Argo CD's API server would reject an unknown field too; fall back to the lenient
			// decoding the controller's informer uses so the generation still runs.
			if err2 := yaml.Unmarshal(doc, &as); err2 != nil {
				return fmt.Errorf("%s: %w", file, err2)
			}
		}
		if as.Kind != "ApplicationSet" {
			return nil
		}
		if as.Namespace == "" {
			as.Namespace = argocdNamespace
		}
		m.applicationSets = append(m.applicationSets, appSetFile{file: file, appSet: as})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachDoc(dir, "argocd/projects/*.yaml", func(file string, doc []byte) error {
		var p argov1alpha1.AppProject
		if err := yaml.Unmarshal(doc, &p); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if p.Kind != "AppProject" {
			return nil
		}
		p.Namespace = argocdNamespace
		m.projects = append(m.projects, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachDoc(dir, "argocd/repositories/*.yaml", func(file string, doc []byte) error {
		var s corev1.Secret
		if err := yaml.Unmarshal(doc, &s); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if s.Kind != "Secret" {
			return nil
		}
		s.Namespace = argocdNamespace
		// The API server folds stringData into data.
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
		m.repoSecrets = append(m.repoSecrets, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	envFiles, _ := filepath.Glob(filepath.Join(dir, "environments", "*", "environment.yaml"))
	sort.Strings(envFiles)
	for _, f := range envFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var e environment
		if err := yaml.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("%s: %w", rel(dir, f), err)
		}
		e.file = rel(dir, f)
		m.environments = append(m.environments, e)
	}
	return m, nil
}

// eachDoc calls fn for every YAML document of the files matching pattern, in file order.
func eachDoc(dir, pattern string, fn func(file string, doc []byte) error) error {
	files, _ := filepath.Glob(filepath.Join(dir, pattern))
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", rel(dir, f), err)
			}
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			if err := fn(rel(dir, f), doc); err != nil {
				return err
			}
		}
	}
	return nil
}

func rel(dir, f string) string {
	r, err := filepath.Rel(dir, f)
	if err != nil {
		return f
	}
	return filepath.ToSlash(r)
}

// apiResources turns the cluster model's API versions ("group/version" and
// "group/version/Kind") into the discovery records the controller's cluster cache holds, from
// which Argo CD derives helm's --api-versions (argo.APIResourcesToStrings).
func (e *environment) apiResources() []kube.APIResourceInfo {
	var out []kube.APIResourceInfo
	for _, v := range e.APIVersions {
		parts := strings.Split(v, "/")
		var gv schema.GroupVersion
		var kind string
		switch {
		case len(parts) == 3:
			gv, kind = schema.GroupVersion{Group: parts[0], Version: parts[1]}, parts[2]
		case len(parts) == 2 && isVersion(parts[1]):
			continue // a group version alone: Argo CD derives it from its kinds
		case len(parts) == 2:
			gv, kind = schema.GroupVersion{Version: parts[0]}, parts[1] // core: v1/Pod
		default:
			continue
		}
		out = append(out, kube.APIResourceInfo{
			GroupKind:            schema.GroupKind{Group: gv.Group, Kind: kind},
			GroupVersionResource: gv.WithResource(strings.ToLower(kind) + "s"),
		})
	}
	return out
}

func isVersion(s string) bool {
	return len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9'
}
