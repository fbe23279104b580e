{{/*
platform.workload: the Deployment, or the Argo Rollouts Rollout that replaces
it when rollout.enabled. Both share platform.podTemplate.
*/}}
{{- define "platform.workload" -}}
{{- include "platform.validate" . -}}
{{- if include "platform.rolloutEnabled" . -}}
{{- include "platform.rollout" . -}}
{{- else -}}
{{- include "platform.deployment" . -}}
{{- end -}}
{{- end -}}

{{- define "platform.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  {{- /* The HPA owns the replica count when it is enabled. */}}
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicas }}
  {{- end }}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
  minReadySeconds: {{ .Values.minReadySeconds }}
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: {{ .Values.updateStrategy.maxSurge }}
      maxUnavailable: {{ .Values.updateStrategy.maxUnavailable }}
  template:
    {{- include "platform.podTemplate" . | nindent 4 }}
{{- end -}}

{{/*
platform.rollout: canary with Istio subset routing (the VirtualService's
"primary" route and the DestinationRule's stable/canary subsets), or
blue-green with a preview Service and a pre-promotion analysis.
*/}}
{{- define "platform.rollout" -}}
{{- $name := include "platform.name" . -}}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicas }}
  {{- end }}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
  minReadySeconds: {{ .Values.minReadySeconds }}
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
  template:
    {{- include "platform.podTemplate" . | nindent 4 }}
  strategy:
    {{- if include "platform.canary" . }}
    {{- with .Values.rollout.canary }}
    canary:
      maxSurge: {{ $.Values.updateStrategy.maxSurge }}
      maxUnavailable: {{ $.Values.updateStrategy.maxUnavailable }}
      {{- if include "platform.meshEnabled" $ }}
      trafficRouting:
        istio:
          virtualService:
            name: {{ $name }}
            routes:
              - primary
          destinationRule:
            name: {{ $name }}
            stableSubsetName: stable
            canarySubsetName: canary
      {{- end }}
      steps:
        {{- toYaml .steps | nindent 8 }}
    {{- end }}
    {{- else }}
    {{- with .Values.rollout.blueGreen }}
    blueGreen:
      activeService: {{ $name }}
      previewService: {{ include "platform.suffixedName" (list $ "preview") }}
      autoPromotionEnabled: {{ .autoPromotionEnabled }}
      scaleDownDelaySeconds: {{ .scaleDownDelaySeconds }}
      {{- if .analysis.enabled }}
      prePromotionAnalysis:
        templates:
          - templateName: {{ include "platform.suffixedName" (list $ "success-rate") }}
        args:
          - name: service-name
            value: {{ include "platform.suffixedName" (list $ "preview") }}
          - name: namespace
            value: {{ $.Release.Namespace }}
      {{- end }}
    {{- end }}
    {{- end }}
{{- end -}}

{{/*
platform.analysisTemplate: success rate of the requests the preview Service
received, from Istio's request metrics. Without traffic the measurement is
neither a success nor a failure (inconclusive), so the Rollout waits for a
person instead of promoting a revision nobody has exercised.
*/}}
{{- define "platform.analysisTemplate" -}}
{{- if include "platform.blueGreen" . -}}
{{- with .Values.rollout.blueGreen.analysis -}}
{{- if .enabled -}}
{{- $selector := `reporter="destination", destination_service_name="{{args.service-name}}", destination_service_namespace="{{args.namespace}}"` -}}
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: {{ include "platform.suffixedName" (list $ "success-rate") }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  args:
    - name: service-name
    - name: namespace
  metrics:
    - name: success-rate
      interval: {{ .interval }}
      count: {{ .count }}
      failureLimit: {{ .failureLimit }}
      successCondition: {{ printf "len(result) > 0 && !isNaN(result[0]) && result[0] >= %v" .successRate | quote }}
      failureCondition: {{ printf "len(result) > 0 && !isNaN(result[0]) && result[0] < %v" .successRate | quote }}
      provider:
        prometheus:
          address: {{ .prometheusAddress }}
          query: |
            sum(rate(istio_requests_total{ {{- $selector }}, response_code!~"5.."}[{{ .window }}]))
            /
            sum(rate(istio_requests_total{ {{- $selector -}} }[{{ .window }}]))
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
