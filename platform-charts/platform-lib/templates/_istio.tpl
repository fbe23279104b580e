{{/*
Istio resources (networking.istio.io/v1, security.istio.io/v1). None of them
renders when mesh.enabled is false.
*/}}

{{/* One route's retries and timeout, falling back to values.traffic. Usage: include "platform.routePolicy" (list . $route) */}}
{{- define "platform.routePolicy" -}}
{{- $traffic := (index . 0).Values.traffic -}}
{{- $route := index . 1 -}}
timeout: {{ $route.timeout | default $traffic.timeout }}
{{- with $route.retries | default $traffic.retries }}
retries:
  attempts: {{ .attempts }}
  perTryTimeout: {{ .perTryTimeout }}
  retryOn: {{ .retryOn }}
{{- end }}
{{- end -}}

{{/*
platform.virtualService: the routes other mesh workloads take to this
service. With a canary Rollout, requests carrying the canary header go to the
canary subset, and the "primary" route splits by weight between the stable
and canary subsets; Argo Rollouts rewrites those weights at each step.
*/}}
{{- define "platform.virtualService" -}}
{{- if include "platform.meshEnabled" . -}}
{{- $host := include "platform.host" . -}}
{{- $port := .Values.service.port -}}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  hosts:
    - {{ $host }}
  http:
    {{- if include "platform.canary" . }}
    {{- with .Values.rollout.canary }}
    - name: canary-header
      match:
        - headers:
            {{ .header.name }}:
              exact: {{ .header.value | quote }}
      route:
        - destination:
            host: {{ $host }}
            subset: canary
            port:
              number: {{ $port }}
      {{- include "platform.routePolicy" (list $ dict) | nindent 6 }}
    - name: primary
      route:
        - destination:
            host: {{ $host }}
            subset: stable
            port:
              number: {{ $port }}
          weight: {{ sub 100 (int .weight) }}
        - destination:
            host: {{ $host }}
            subset: canary
            port:
              number: {{ $port }}
          weight: {{ .weight }}
      {{- include "platform.routePolicy" (list $ dict) | nindent 6 }}
    {{- end }}
    {{- else }}
    - name: primary
      route:
        - destination:
            host: {{ $host }}
            port:
              number: {{ $port }}
      {{- include "platform.routePolicy" (list . dict) | nindent 6 }}
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
platform.destinationRule: client-side policy for every caller of this
service: least-connections balancing, connection limits, ejection of failing
pods, and Istio mutual TLS. Canary Rollouts get stable/canary subsets, which
Argo Rollouts pins to the pod-template hash of each revision.
*/}}
{{- define "platform.destinationRule" -}}
{{- if include "platform.meshEnabled" . -}}
{{- with .Values.traffic -}}
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  {{- include "platform.metadata" $ | nindent 2 }}
spec:
  host: {{ include "platform.host" $ }}
  trafficPolicy:
    loadBalancer:
      simple: {{ .loadBalancer }}
    {{- with .connectionPool }}
    connectionPool:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .outlierDetection }}
    outlierDetection:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    tls:
      mode: ISTIO_MUTUAL
  {{- if include "platform.canary" $ }}
  subsets:
    {{- range $subset := list "stable" "canary" }}
    - name: {{ $subset }}
      labels:
        {{- include "platform.selectorLabels" $ | nindent 8 }}
    {{- end }}
  {{- end }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "platform.principal" -}}
{{- printf "%s/ns/%s/sa/%s" .trustDomain .namespace .serviceAccount -}}
{{- end -}}

{{/*
platform.authorizationPolicy: ALLOW-only, so anything not listed is denied:
  - each values.authorization.allow rule: the callers' mTLS identities on the
    given methods and paths;
  - health-check paths from anyone;
  - the mesh ingress gateway, when this service is exposed;
  - the metrics port, scraped without mTLS.
*/}}
{{- define "platform.authorizationPolicy" -}}
{{- if and (include "platform.meshEnabled" .) .Values.authorization.enabled -}}
{{- $trustDomain := .Values.mesh.trustDomain -}}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
  action: ALLOW
  rules:
    {{- range .Values.authorization.allow }}
    - from:
        - source:
            principals:
              {{- range .callers }}
              - {{ include "platform.principal" (dict "trustDomain" $trustDomain "namespace" .namespace "serviceAccount" .serviceAccount) | quote }}
              {{- end }}
      {{- if or .methods .paths }}
      to:
        - operation:
            {{- with .methods }}
            methods:
              {{- toYaml . | nindent 14 }}
            {{- end }}
            {{- with .paths }}
            paths:
              {{- toYaml . | nindent 14 }}
            {{- end }}
      {{- end }}
    {{- end }}
    {{- with .Values.authorization.healthPaths }}
    - to:
        - operation:
            methods:
              - GET
            paths:
              {{- toYaml . | nindent 14 }}
    {{- end }}
    {{- if include "platform.exposed" . }}
    {{- with .Values.mesh.ingressGateway }}
    - from:
        - source:
            principals:
              - {{ include "platform.principal" (dict "trustDomain" $trustDomain "namespace" .namespace "serviceAccount" .serviceAccount) | quote }}
    {{- end }}
    {{- end }}
    {{- if .Values.metrics.enabled }}
    - to:
        - operation:
            ports:
              - {{ .Values.metrics.port | quote }}
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
platform.peerAuthentication: mutual TLS required for the service's pods. The
metrics port stays permissive so that Prometheus, outside the mesh, can
scrape it.
*/}}
{{- define "platform.peerAuthentication" -}}
{{- if include "platform.sidecarInjected" . -}}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" . | nindent 6 }}
  mtls:
    mode: {{ .Values.mesh.mtlsMode }}
  {{- if .Values.metrics.enabled }}
  portLevelMtls:
    {{ .Values.metrics.port | quote }}:
      mode: PERMISSIVE
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
platform.gateway: HTTPS on 443 for the exposed hosts, terminated by the mesh
ingress gateway with the certificate in Secret expose.tlsSecretName (which
lives in the ingress gateway's namespace), plus an HTTP server that only
redirects to HTTPS.
*/}}
{{- define "platform.gateway" -}}
{{- if and (include "platform.meshEnabled" .) (include "platform.exposed" .) -}}
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  {{- include "platform.metadata" . | nindent 2 }}
spec:
  selector:
    {{- toYaml .Values.mesh.ingressGateway.selector | nindent 4 }}
  servers:
    - port:
        number: 443
        name: https
        protocol: HTTPS
      hosts:
        {{- toYaml .Values.expose.hosts | nindent 8 }}
      tls:
        mode: SIMPLE
        credentialName: {{ required "expose.tlsSecretName is required when expose.enabled is true" .Values.expose.tlsSecretName }}
        minProtocolVersion: TLSV1_2
    {{- if .Values.expose.httpsRedirect }}
    - port:
        number: 80
        name: http
        protocol: HTTP
      hosts:
        {{- toYaml .Values.expose.hosts | nindent 8 }}
      tls:
        httpsRedirect: true
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
platform.edgeVirtualService: the API gateway pattern. Bound to the Gateway
above, it routes each URI prefix of expose.routes to its backend's in-cluster
host (this service when no destination is given), rewriting the prefix.
*/}}
{{- define "platform.edgeVirtualService" -}}
{{- if and (include "platform.meshEnabled" .) (include "platform.exposed" .) -}}
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ include "platform.suffixedName" (list . "edge") }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "platform.labels" . | nindent 4 }}
spec:
  hosts:
    {{- toYaml .Values.expose.hosts | nindent 4 }}
  gateways:
    - {{ include "platform.name" . }}
  http:
    {{- range .Values.expose.routes }}
    {{- $destination := .destination | default dict }}
    - name: {{ .name }}
      match:
        - uri:
            prefix: {{ .prefix }}
      {{- with .rewrite }}
      rewrite:
        uri: {{ . }}
      {{- end }}
      route:
        - destination:
            host: {{ $destination.host | default (include "platform.host" $) }}
            port:
              number: {{ $destination.port | default $.Values.service.port }}
      {{- include "platform.routePolicy" (list $ .) | nindent 6 }}
    {{- end }}
{{- end -}}
{{- end -}}
