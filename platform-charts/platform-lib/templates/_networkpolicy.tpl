{{/*
platform.networkPolicy: default deny for the service's pods, then
  ingress: listed callers on the application port; the mesh ingress gateway
           (or the Ingress controller without a mesh) when the service is
           exposed; the metrics scraper on the metrics ports;
  egress:  DNS, istiod (when a sidecar is injected), listed destinations.
Ports are the pods' container ports: that is what a NetworkPolicy sees, with
or without a sidecar.
*/}}
{{- define "platform.networkPolicy" -}}
{{- with .Values.networkPolicy -}}
{{- if .enabled -}}
{{- $root := $ -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "platform.metadata" $root | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform.selectorLabels" $root | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  {{- with include "platform.networkPolicyIngress" $root }}
  ingress:
    {{- . | trim | nindent 4 }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    {{- include "platform.networkPolicyEgress" $root | trim | nindent 4 }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One NetworkPolicy peer from {namespace?, service?, podLabels?}, as a one-item list. */}}
{{- define "platform.networkPolicyPeer" -}}
{{- $peer := dict -}}
{{- with .namespace -}}
{{- $_ := set $peer "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" .)) -}}
{{- end -}}
{{- $podLabels := .podLabels | default dict -}}
{{- with .service -}}
{{- $podLabels = merge (dict "app.kubernetes.io/name" .) $podLabels -}}
{{- end -}}
{{- with $podLabels -}}
{{- $_ := set $peer "podSelector" (dict "matchLabels" .) -}}
{{- end -}}
{{- list $peer | toYaml -}}
{{- end -}}

{{- define "platform.networkPolicyIngress" -}}
{{- $svc := .Values.service -}}
{{- with .Values.networkPolicy.ingress }}
- from:
    {{- range . }}
    {{- include "platform.networkPolicyPeer" . | trim | nindent 4 }}
    {{- end }}
  ports:
    - port: {{ $svc.containerPort }}
      protocol: TCP
{{- end }}
{{- if include "platform.exposed" . }}
{{- $edge := ternary (dict "namespace" .Values.mesh.ingressGateway.namespace "podLabels" .Values.mesh.ingressGateway.selector) .Values.expose.ingressController (include "platform.meshEnabled" . | eq "true") }}
- from:
    {{- include "platform.networkPolicyPeer" $edge | trim | nindent 4 }}
  ports:
    - port: {{ $svc.containerPort }}
      protocol: TCP
{{- end }}
{{- if .Values.metrics.enabled }}
- from:
    {{- include "platform.networkPolicyPeer" (dict "namespace" .Values.metrics.scraperNamespace) | trim | nindent 4 }}
  ports:
    - port: {{ .Values.metrics.port }}
      protocol: TCP
    {{- if include "platform.sidecarInjected" . }}
    {{- /* Envoy's own Prometheus endpoint. */}}
    - port: 15090
      protocol: TCP
    {{- end }}
{{- end }}
{{- end -}}

{{- define "platform.networkPolicyEgress" -}}
{{- if .Values.networkPolicy.allowDNS }}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
{{- if include "platform.sidecarInjected" . }}
{{- /* The sidecar fetches its configuration and certificates from istiod. */}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.mesh.controlPlaneNamespace }}
      podSelector:
        matchLabels:
          app: istiod
  ports:
    - port: 15012
      protocol: TCP
{{- end }}
{{- range .Values.networkPolicy.egress }}
- to:
    {{- if .cidr }}
    - ipBlock:
        cidr: {{ .cidr }}
        {{- with .except }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
    {{- else }}
    {{- include "platform.networkPolicyPeer" . | trim | nindent 4 }}
    {{- end }}
  {{- $protocol := .protocol | default "TCP" }}
  {{- with .ports }}
  ports:
    {{- range . }}
    - port: {{ . }}
      protocol: {{ $protocol }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}
