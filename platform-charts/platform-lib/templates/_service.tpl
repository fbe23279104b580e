{{/*
platform.service: the ClusterIP Service. Port names carry the protocol
(http, http2, grpc, http-metrics) so that Istio does not have to sniff it.
Blue-green rollouts also get a preview Service that Argo Rollouts points at
the new revision; it carries only the application port, so the
ServiceMonitor does not scrape the same pods twice.
*/}}
{{- define "platform.service" -}}
{{- include "platform.serviceNamed" (list . (include "platform.name" .) true) }}
{{- if include "platform.blueGreen" . }}
---
{{ include "platform.serviceNamed" (list . (include "platform.suffixedName" (list . "preview")) false) }}
{{- end }}
{{- end -}}

{{/* Usage: include "platform.serviceNamed" (list . $name $withMetrics) */}}
{{- define "platform.serviceNamed" -}}
{{- $root := index . 0 -}}
{{- $withMetrics := index . 2 -}}
{{- with $root.Values.service -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ index $ 1 }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "platform.labels" $root | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .type }}
  selector:
    {{- include "platform.selectorLabels" $root | nindent 4 }}
  ports:
    - name: {{ .appProtocol }}
      port: {{ .port }}
      targetPort: {{ .appProtocol }}
      protocol: TCP
      appProtocol: {{ .appProtocol }}
    {{- if and $withMetrics $root.Values.metrics.enabled }}
    - name: {{ include "platform.metricsPortName" $root }}
      port: {{ $root.Values.metrics.port }}
      targetPort: {{ include "platform.metricsPortName" $root }}
      protocol: TCP
      appProtocol: http
    {{- end }}
{{- end -}}
{{- end -}}

{{- define "platform.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "platform.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- /* Most services never call the Kubernetes API: no token unless asked. */}}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
{{- end -}}
{{- end -}}

{{- define "platform.configMap" -}}
{{- if include "platform.hasConfigMap" . -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
data:
  {{- range $key, $value := .Values.configMap.data }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
{{- end -}}
{{- end -}}
