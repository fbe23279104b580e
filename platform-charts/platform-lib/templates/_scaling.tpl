{{/*
platform.hpa: autoscaling/v2 on CPU and/or memory utilisation, with the
scale-up and scale-down behavior taken as-is from values.
*/}}
{{- define "platform.hpa" -}}
{{- with .Values.autoscaling -}}
{{- if .enabled -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "platform.metadata" $ | nindent 2 }}
spec:
  scaleTargetRef:
    {{- if include "platform.rolloutEnabled" $ }}
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    {{- else }}
    apiVersion: apps/v1
    kind: Deployment
    {{- end }}
    name: {{ include "platform.name" $ }}
  minReplicas: {{ .minReplicas }}
  maxReplicas: {{ .maxReplicas }}
  metrics:
    {{- range $resource, $target := dict "cpu" .targetCPUUtilizationPercentage "memory" .targetMemoryUtilizationPercentage }}
    {{- if $target }}
    - type: Resource
      resource:
        name: {{ $resource }}
        target:
          type: Utilization
          averageUtilization: {{ $target }}
    {{- end }}
    {{- end }}
  {{- with .behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
platform.pdb: minAvailable or maxUnavailable (maxUnavailable 1 when neither is
set). Unhealthy pods may always be evicted, so that a crash-looping revision
never blocks a node drain.
*/}}
{{- define "platform.pdb" -}}
{{- with .Values.podDisruptionBudget -}}
{{- if .enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "platform.metadata" $ | nindent 2 }}
spec:
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" $ | nindent 6 }}
  {{- if hasKey . "minAvailable" }}
  minAvailable: {{ .minAvailable }}
  {{- else }}
  maxUnavailable: {{ .maxUnavailable | default 1 }}
  {{- end }}
  unhealthyPodEvictionPolicy: AlwaysAllow
{{- end -}}
{{- end -}}
{{- end -}}
