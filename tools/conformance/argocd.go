package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"

	"github.com/argoproj/argo-cd/v3/common"
	statecache "github.com/argoproj/argo-cd/v3/controller/cache"
	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	reposervercache "github.com/argoproj/argo-cd/v3/reposerver/cache"
	"github.com/argoproj/argo-cd/v3/reposerver/metrics"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	cacheutil "github.com/argoproj/argo-cd/v3/util/cache"
	"github.com/argoproj/argo-cd/v3/util/db"
	"github.com/argoproj/argo-cd/v3/util/git"
	utilio "github.com/argoproj/argo-cd/v3/util/io"
	"github.com/argoproj/argo-cd/v3/util/settings"
)

const argocdNamespace = "argocd"

type grpcCallOption = grpc.CallOption

// controlPlane is an in-process Argo CD: the Kubernetes objects it reads (settings, cluster and
// repository Secrets) in a fake clientset, its database and settings on top, and a repo-server.
type controlPlane struct {
	kube        *kubefake.Clientset
	settingsMgr *settings.SettingsManager
	db          db.ArgoDB
	repoServer  *repository.Service
	model       *repoModel
}

func newControlPlane(ctx context.Context, model *repoModel, rootDir string) (*controlPlane, error) {
	objs := []runtime.Object{
		&corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: common.ArgoCDConfigMapName, Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}},
			Data:       map[string]string{},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: common.ArgoCDSecretName, Namespace: argocdNamespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"}},
			Data:       map[string][]byte{"admin.password": nil, "server.secretkey": []byte("conformance")},
		},
	}
	for i := range model.repoSecrets {
		objs = append(objs, &model.repoSecrets[i])
	}
	// One cluster Secret per environment, as `argocd cluster add` would create it.
	for _, e := range model.environments {
		if e.Cluster.Server == "" || e.Cluster.Server == argov1alpha1.KubernetesInternalAPIServerAddr {
			continue
		}
		objs = append(objs, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name: "cluster-" + e.Name, Namespace: argocdNamespace,
				Labels: map[string]string{common.LabelKeySecretType: common.LabelValueSecretTypeCluster},
			},
			Data: map[string][]byte{
				"name":   []byte(e.Cluster.Name),
				"server": []byte(e.Cluster.Server),
				"config": []byte(`{"tlsClientConfig":{"insecure":false}}`),
			},
		})
	}
	kc := kubefake.NewClientset(objs...)
	settingsMgr := settings.NewSettingsManager(ctx, kc, argocdNamespace)
	if err := settingsMgr.ResyncInformers(); err != nil {
		return nil, fmt.Errorf("argo cd settings: %w", err)
	}
	argoDB := db.NewDB(argocdNamespace, settingsMgr, kc)

	if err := os.MkdirAll(rootDir, 0o700); err != nil {
		return nil, err
	}
	repoCache := reposervercache.NewCache(cacheutil.NewCache(cacheutil.NewInMemoryCache(time.Hour)), time.Hour, time.Hour, 10*time.Second)
	// The repo-server's defaults (cmd/argocd-repo-server flags).
	constants := repository.RepoServerInitConstants{
		OCIMediaTypes:                     []string{"application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.cncf.helm.chart.content.v1.tar+gzip"},
		MaxCombinedDirectoryManifestsSize: resource.MustParse("10M"),
		StreamedManifestMaxTarSize:        quantity("100M"),
		StreamedManifestMaxExtractedSize:  quantity("1G"),
		HelmManifestMaxExtractedSize:      quantity("1G"),
		HelmRegistryMaxIndexSize:          quantity("1G"),
		OCIManifestMaxExtractedSize:       quantity("1G"),
		SubmoduleEnabled:                  true,
		EnableBuiltinGitConfig:            true,
	}
	svc := repository.NewService(metrics.NewMetricsServer(), repoCache, constants, &git.NoopCredsStore{}, rootDir)
	if err := svc.Init(); err != nil {
		return nil, fmt.Errorf("repo-server: %w", err)
	}
	return &controlPlane{kube: kc, settingsMgr: settingsMgr, db: argoDB, repoServer: svc, model: model}, nil
}

// repoClientset hands out the in-process repo-server as if it were the gRPC client. Only the
// methods the ApplicationSet and application controllers call here are forwarded; any other
// call panics on the nil embedded interface, which would show a gap in this harness.
type repoClientset struct{ svc *repository.Service }

func (c repoClientset) NewRepoServerClient() (utilio.Closer, apiclient.RepoServerServiceClient, error) {
	return utilio.NopCloser, repoClient{svc: c.svc}, nil
}

type repoClient struct {
	apiclient.RepoServerServiceClient
	svc *repository.Service
}

func (c repoClient) GetGitFiles(ctx context.Context, in *apiclient.GitFilesRequest, _ ...grpcCallOption) (*apiclient.GitFilesResponse, error) {
	return c.svc.GetGitFiles(ctx, in)
}

func (c repoClient) GetGitDirectories(ctx context.Context, in *apiclient.GitDirectoriesRequest, _ ...grpcCallOption) (*apiclient.GitDirectoriesResponse, error) {
	return c.svc.GetGitDirectories(ctx, in)
}

func (c repoClient) GenerateManifest(ctx context.Context, in *apiclient.ManifestRequest, _ ...grpcCallOption) (*apiclient.ManifestResponse, error) {
	return c.svc.GenerateManifest(ctx, in)
}

// clusterModel answers the one question the application controller asks its live state cache
// before rendering: the destination cluster's version and API resources.
type clusterModel struct {
	statecache.LiveStateCache
	envs []environment
}

func (c clusterModel) GetVersionsInfo(cluster *argov1alpha1.Cluster) (string, []kube.APIResourceInfo, error) {
	for i := range c.envs {
		e := &c.envs[i]
		if e.Cluster.Server == cluster.Server || (cluster.Server == argov1alpha1.KubernetesInternalAPIServerAddr && e.Cluster.Server == "") {
			return e.KubernetesVersion, e.apiResources(), nil
		}
	}
	return "", nil, fmt.Errorf("no environment models cluster %q (%s)", cluster.Name, cluster.Server)
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

func quantity(s string) int64 {
	q := resource.MustParse(s)
	return q.Value()
}
