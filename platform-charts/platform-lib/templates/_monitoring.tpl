{{/*
Prometheus Operator scraping, rendered only where the cluster serves the
kind, so that the same values work in clusters without the operator.
*/}}
{{- define "platform.serviceMonitor" -}}
{{- with .Values.metrics -}}
{{- if and .enabled .serviceMonitor.enabled ($.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "platform.name" $ }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
    {{- with .serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" $ | nindent 6 }}
  endpoints:
    - port: {{ include "platform.metricsPortName" $ }}
      path: {{ .path }}
      interval: {{ .serviceMonitor.interval }}
      scrapeTimeout: {{ .serviceMonitor.scrapeTimeout }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Workers have no Service: their pods are scraped directly. */}}
{{- define "platform.podMonitor" -}}
{{- with .Values.metrics -}}
{{- if and .enabled .podMonitor.enabled ($.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PodMonitor") -}}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "platform.name" $ }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
    {{- with .podMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" $ | nindent 6 }}
  podMetricsEndpoints:
    - port: {{ include "platform.metricsPortName" $ }}
      path: {{ .path }}
      interval: {{ .podMonitor.interval }}
      scrapeTimeout: {{ .podMonitor.scrapeTimeout }}
{{- end -}}
{{- end -}}
{{- end -}}
