{{/*
Names, labels and feature switches shared by every platform.* template.
All templates take the root context (.) of the application chart.
*/}}

{{/*
platform.name: the service name. The release name is the service name (Argo CD
passes it as --name-template), so every resource is named after it.
*/}}
{{- define "platform.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
platform.suffixedName: "<name>-<suffix>", still within 63 characters.
Usage: include "platform.suffixedName" (list . "preview")
*/}}
{{- define "platform.suffixedName" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- $room := sub 62 (len $suffix) | int -}}
{{- printf "%s-%s" (include "platform.name" $root | trunc $room | trimSuffix "-") $suffix -}}
{{- end -}}

{{/* platform.host: the service's in-cluster FQDN, the host Istio routes on. */}}
{{- define "platform.host" -}}
{{- printf "%s.%s.svc.%s" (include "platform.name" .) .Release.Namespace .Values.mesh.clusterDomain -}}
{{- end -}}

{{- define "platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
platform.imageTag: the release pinned for this environment. Values files never
set it: Argo CD passes it with --set-string image.tag=<version>.
*/}}
{{- define "platform.imageTag" -}}
{{- required "image.tag is required: it is the release pinned for the environment, passed as --set-string image.tag=<version> (values files must not set it)" .Values.image.tag -}}
{{- end -}}

{{/* platform.imageFor: "<repository>:<pinned tag>". Usage: include "platform.imageFor" (list . $repository) */}}
{{- define "platform.imageFor" -}}
{{- $root := index . 0 -}}
{{- $repository := index . 1 -}}
{{- printf "%s:%s" (required "image.repository is required, e.g. registry.example.com/<team>/<service>" $repository) (include "platform.imageTag" $root) -}}
{{- end -}}

{{- define "platform.image" -}}
{{- include "platform.imageFor" (list . .Values.image.repository) -}}
{{- end -}}

{{/* Selector labels never change over a release's life: they are immutable on Deployments. */}}
{{- define "platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "platform.labels" -}}
{{ include "platform.selectorLabels" . }}
app.kubernetes.io/version: {{ include "platform.imageTag" . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "platform.chart" . }}
{{- with .Values.partOf }}
app.kubernetes.io/part-of: {{ . }}
{{- end }}
{{- with .Values.environment }}
app.kubernetes.io/environment: {{ . }}
{{- end }}
{{- end -}}

{{/* platform.metadata: name, namespace and labels of a resource named after the service. */}}
{{- define "platform.metadata" -}}
name: {{ include "platform.name" . }}
namespace: {{ .Release.Namespace }}
labels:
  {{- include "platform.labels" . | nindent 2 }}
{{- end -}}

{{- define "platform.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "platform.name" .) -}}
{{- end -}}

{{/*
Feature switches. Each returns "true" or "". Keys that only the microservice
chart has (service, expose, rollout) are absent from worker values, hence the
guards.
*/}}
{{- define "platform.meshEnabled" -}}
{{- if .Values.mesh.enabled }}true{{ end -}}
{{- end -}}

{{- define "platform.sidecarInjected" -}}
{{- if and .Values.mesh.enabled .Values.mesh.injectSidecar }}true{{ end -}}
{{- end -}}

{{- define "platform.exposed" -}}
{{- if and .Values.expose .Values.expose.enabled }}true{{ end -}}
{{- end -}}

{{- define "platform.rolloutEnabled" -}}
{{- if and .Values.rollout .Values.rollout.enabled }}true{{ end -}}
{{- end -}}

{{- define "platform.canary" -}}
{{- if and (include "platform.rolloutEnabled" .) (eq .Values.rollout.strategy "canary") }}true{{ end -}}
{{- end -}}

{{- define "platform.blueGreen" -}}
{{- if and (include "platform.rolloutEnabled" .) (eq .Values.rollout.strategy "blueGreen") }}true{{ end -}}
{{- end -}}

{{/* Port name of the HTTP port: Istio reads the protocol from the name prefix. */}}
{{- define "platform.servicePortName" -}}
{{- .Values.service.appProtocol -}}
{{- end -}}

{{- define "platform.metricsPortName" -}}
http-metrics
{{- end -}}

{{/* platform.hasConfigMap: "true" when values.configMap.data renders a ConfigMap. */}}
{{- define "platform.hasConfigMap" -}}
{{- if .Values.configMap.data }}true{{ end -}}
{{- end -}}

{{/*
platform.validate: fails early, with a message a service team can act on, on
combinations the schema cannot express or that the target cluster cannot serve.
*/}}
{{- define "platform.validate" -}}
{{- $api := .Capabilities.APIVersions -}}
{{- if and .Values.mesh.enabled (not (and ($api.Has "networking.istio.io/v1") ($api.Has "security.istio.io/v1"))) -}}
{{- fail "mesh.enabled is true but the cluster serves neither networking.istio.io/v1 nor security.istio.io/v1: set mesh.enabled=false for this environment or pass the Istio API versions" -}}
{{- end -}}
{{- if and (include "platform.rolloutEnabled" .) (not ($api.Has "argoproj.io/v1alpha1/Rollout")) -}}
{{- fail "rollout.enabled is true but the cluster does not serve argoproj.io/v1alpha1/Rollout (Argo Rollouts is not installed there): disable rollout in this environment's values" -}}
{{- end -}}
{{- if and (include "platform.blueGreen" .) .Values.rollout.blueGreen.analysis.enabled (not ($api.Has "argoproj.io/v1alpha1/AnalysisTemplate")) -}}
{{- fail "rollout.blueGreen.analysis.enabled is true but the cluster does not serve argoproj.io/v1alpha1/AnalysisTemplate" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%d) is greater than autoscaling.maxReplicas (%d)" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (not (or .Values.autoscaling.targetCPUUtilizationPercentage .Values.autoscaling.targetMemoryUtilizationPercentage)) -}}
{{- fail "autoscaling.enabled is true but neither targetCPUUtilizationPercentage nor targetMemoryUtilizationPercentage is set" -}}
{{- end -}}
{{- with .Values.podDisruptionBudget -}}
{{- if and (hasKey . "minAvailable") (hasKey . "maxUnavailable") -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- end -}}
{{- if include "platform.exposed" . -}}
{{- if not .Values.expose.hosts -}}
{{- fail "expose.enabled is true but expose.hosts is empty" -}}
{{- end -}}
{{- if not .Values.expose.routes -}}
{{- fail "expose.enabled is true but expose.routes is empty" -}}
{{- end -}}
{{- end -}}
{{- end -}}
