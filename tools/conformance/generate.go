package main

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	appsetmetrics "github.com/argoproj/argo-cd/v3/applicationset/metrics"
	"github.com/argoproj/argo-cd/v3/applicationset/services"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/settings"
)

type appSetResult struct {
	Name         string                     `json:"name"`
	File         string                     `json:"file"`
	Error        string                     `json:"error,omitempty"`
	Applications []argov1alpha1.Application `json:"applications"`
}

// generateApplications runs the ApplicationSet controller's reconcile on each ApplicationSet
// (with the controller's defaults: policy sync, no progressive syncs) against a fake cluster
// holding the AppProjects, and returns the Applications it created in it.
func (cp *controlPlane) generateApplications(ctx context.Context) ([]appSetResult, []argov1alpha1.Application, error) {
	scheme := runtime.NewScheme()
	if err := argov1alpha1.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	var objs []client.Object
	for i := range cp.model.projects {
		objs = append(objs, &cp.model.projects[i])
	}
	for i := range cp.model.applicationSets {
		objs = append(objs, &cp.model.applicationSets[i].appSet)
	}
	kclient := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&argov1alpha1.ApplicationSet{}, &argov1alpha1.Application{}).
		WithIndex(&argov1alpha1.Application{}, ".metadata.controller", appControllerIndexer).
		Build()

	clusterInformer, err := settings.NewClusterInformer(cp.kube, argocdNamespace)
	if err != nil {
		return nil, nil, err
	}
	stop := make(chan struct{})
	defer close(stop)
	go clusterInformer.Run(stop)
	if !cache.WaitForCacheSync(stop, clusterInformer.HasSynced) {
		return nil, nil, fmt.Errorf("cluster informer did not sync")
	}

	// The controller's defaults: no submodules? (--enable-git-submodule defaults to true),
	// old file globbing (--enable-new-git-file-globbing=false).
	argoCDService := services.NewArgoCDService(cp.db, true, repoClientset{svc: cp.repoServer}, false)
	scmConfig := generators.NewSCMConfig("", []string{}, true, false, nil, true)
	gens := generators.GetGenerators(ctx, kclient, cp.kube, argocdNamespace, argoCDService, nil, scmConfig, clusterInformer)
	m := appsetmetrics.NewFakeAppsetMetrics()
	r := &controllers.ApplicationSetReconciler{
		Generators:                   gens,
		Client:                       kclient,
		Scheme:                       scheme,
		Recorder:                     record.NewFakeRecorder(10000),
		Renderer:                     &utils.Render{},
		Policy:                       argov1alpha1.ApplicationsSyncPolicySync,
		KubeClientset:                cp.kube,
		ArgoDB:                       cp.db,
		ArgoCDNamespace:              argocdNamespace,
		ApplicationSetNamespaces:     []string{argocdNamespace},
		Metrics:                      m,
		ClusterInformer:              clusterInformer,
		ConcurrentApplicationUpdates: 1,
	}

	var results []appSetResult
	var all []argov1alpha1.Application
	for _, f := range cp.model.applicationSets {
		key := types.NamespacedName{Namespace: f.appSet.Namespace, Name: f.appSet.Name}
		res := appSetResult{Name: f.appSet.Name, File: f.file, Applications: []argov1alpha1.Application{}}
		if _, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: key}); err != nil {
			res.Error = err.Error()
		}
		var got argov1alpha1.ApplicationSet
		if err := kclient.Get(ctx, key, &got); err != nil {
			return nil, nil, err
		}
		for _, c := range got.Status.Conditions {
			if c.Type == argov1alpha1.ApplicationSetConditionErrorOccurred && c.Status == argov1alpha1.ApplicationSetConditionStatusTrue && res.Error == "" {
				res.Error = c.Message
			}
		}
		var apps argov1alpha1.ApplicationList
		if err := kclient.List(ctx, &apps, client.InNamespace(f.appSet.Namespace), client.MatchingFields{".metadata.controller": f.appSet.Name}); err != nil {
			return nil, nil, err
		}
		sort.Slice(apps.Items, func(i, j int) bool { return apps.Items[i].Name < apps.Items[j].Name })
		for _, a := range apps.Items {
			all = append(all, a)
			res.Applications = append(res.Applications, cleanApplication(a))
		}
		results = append(results, res)
	}
	return results, all, nil
}

// cleanApplication drops what the API server, not the controller, sets.
func cleanApplication(a argov1alpha1.Application) argov1alpha1.Application {
	a.ResourceVersion = ""
	a.UID = ""
	a.Generation = 0
	a.CreationTimestamp = metav1.Time{}
	a.ManagedFields = nil
	for i := range a.OwnerReferences {
		a.OwnerReferences[i].UID = ""
	}
	a.Kind = "Application"
	a.APIVersion = argov1alpha1.SchemeGroupVersion.String()
	return a
}

// appControllerIndexer indexes Applications by the ApplicationSet that controls them, as the
// controller's manager does (applicationset_controller.go).
func appControllerIndexer(rawObj client.Object) []string {
	app := rawObj.(*argov1alpha1.Application)
	owner := metav1.GetControllerOf(app)
	if owner == nil || owner.APIVersion != argov1alpha1.SchemeGroupVersion.String() || owner.Kind != "ApplicationSet" {
		return nil
	}
	return []string{owner.Name}
}
