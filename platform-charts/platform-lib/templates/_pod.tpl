{{/*
The pod template shared by the Deployment and the Argo Rollouts Rollout, so
that switching a service to progressive delivery changes nothing in its pods.
*/}}

{{- define "platform.podTemplate" -}}
{{- $labels := include "platform.labels" . | fromYaml -}}
{{- if include "platform.meshEnabled" . -}}
{{- $_ := set $labels "sidecar.istio.io/inject" (ternary "true" "false" (include "platform.sidecarInjected" . | eq "true")) -}}
{{- end -}}
{{- $labels = merge $labels (.Values.podLabels | default dict) -}}
{{- $annotations := dict -}}
{{- if include "platform.hasConfigMap" . -}}
{{- /* Roll the pods when the configuration changes. */ -}}
{{- $_ := set $annotations "checksum/config" (include "platform.configMap" . | sha256sum) -}}
{{- end -}}
{{- if and (include "platform.sidecarInjected" .) (include "platform.hasInitContainers" .) -}}
{{- /* Start the proxy before init containers, so that migrations reach the database through the mesh. */ -}}
{{- $_ := set $annotations "sidecar.istio.io/nativeSidecar" "true" -}}
{{- end -}}
{{- $annotations = merge $annotations (.Values.podAnnotations | default dict) -}}
metadata:
  labels:
    {{- toYaml $labels | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "platform.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  securityContext:
    {{- include "platform.podSecurityContext" . | nindent 4 }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- if include "platform.hasInitContainers" . }}
  initContainers:
    {{- include "platform.initContainers" . | trim | nindent 4 }}
  {{- end }}
  containers:
    {{- include "platform.appContainer" . | nindent 4 }}
  {{- with include "platform.volumes" . }}
  volumes:
    {{- . | trim | nindent 4 }}
  {{- end }}
  {{- with include "platform.topologySpreadConstraints" . }}
  topologySpreadConstraints:
    {{- . | trim | nindent 4 }}
  {{- end }}
  {{- with include "platform.affinity" . }}
  affinity:
    {{- . | trim | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Restricted Pod Security Standard, at pod level. */}}
{{- define "platform.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Restricted Pod Security Standard, for the app and every init container. */}}
{{- define "platform.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "platform.appContainer" -}}
- name: {{ include "platform.name" . }}
  image: {{ include "platform.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  {{- with .Values.command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with include "platform.containerPorts" . }}
  ports:
    {{- . | trim | nindent 4 }}
  {{- end }}
  {{- with include "platform.envBlock" (list . .Values.env) }}
  {{- . | trim | nindent 2 }}
  {{- end }}
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- range $kind := list "startup" "liveness" "readiness" }}
  {{- with index $.Values.probes $kind }}
  {{- if .enabled }}
  {{ $kind }}Probe:
    {{- include "platform.probe" . | nindent 4 }}
  {{- end }}
  {{- end }}
  {{- end }}
  securityContext:
    {{- include "platform.containerSecurityContext" . | nindent 4 }}
  {{- with include "platform.volumeMounts" . }}
  volumeMounts:
    {{- . | trim | nindent 4 }}
  {{- end }}
{{- end -}}

{{- define "platform.containerPorts" -}}
{{- with .Values.service }}
- name: {{ .appProtocol }}
  containerPort: {{ .containerPort }}
  protocol: TCP
{{- end }}
{{- if .Values.metrics.enabled }}
- name: {{ include "platform.metricsPortName" . }}
  containerPort: {{ .Values.metrics.port }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* platform.probe renders one probe from {type: http|tcp|grpc|exec, ...}. */}}
{{- define "platform.probe" -}}
{{- if eq .type "http" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
{{- else if eq .type "tcp" -}}
tcpSocket:
  port: {{ .port }}
{{- else if eq .type "grpc" -}}
grpc:
  port: {{ .port }}
{{- else if eq .type "exec" -}}
exec:
  command:
    {{- toYaml (required "an exec probe needs a command" .command) | nindent 4 }}
{{- end }}
{{- range $field := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "failureThreshold" "successThreshold" }}
{{- if hasKey $ $field }}
{{ $field }}: {{ index $ $field }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
platform.envBlock: env and envFrom, shared by the app container and the
migration init container (a migration needs the same database settings).
Usage: include "platform.envBlock" (list . $plainEnv)
*/}}
{{- define "platform.envBlock" -}}
{{- $root := index . 0 -}}
{{- with include "platform.env" . }}
env:
  {{- . | trim | nindent 2 }}
{{- end }}
{{- with include "platform.envFrom" $root }}
envFrom:
  {{- . | trim | nindent 2 }}
{{- end }}
{{- end -}}

{{/* platform.env: plain variables from a name->value map, then Secret and ConfigMap keys. Usage: include "platform.env" (list . $plain) */}}
{{- define "platform.env" -}}
{{- $root := index . 0 -}}
{{- range $name, $value := index . 1 }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $name, $ref := $root.Values.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secret }}
      key: {{ $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- range $name, $ref := $root.Values.configMapEnv }}
- name: {{ $name }}
  valueFrom:
    configMapKeyRef:
      name: {{ $ref.configMap }}
      key: {{ $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{- define "platform.envFrom" -}}
{{- if and (include "platform.hasConfigMap" .) .Values.configMap.asEnv }}
- configMapRef:
    name: {{ include "platform.name" . }}
{{- end }}
{{- range .Values.envFrom }}
{{- if .secret }}
- secretRef:
    name: {{ .secret }}
    {{- if .optional }}
    optional: true
    {{- end }}
  {{- with .prefix }}
  prefix: {{ . }}
  {{- end }}
{{- else }}
- configMapRef:
    name: {{ .configMap }}
    {{- if .optional }}
    optional: true
    {{- end }}
  {{- with .prefix }}
  prefix: {{ . }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "platform.hasInitContainers" -}}
{{- if or .Values.initContainers (and .Values.migration .Values.migration.enabled) }}true{{ end -}}
{{- end -}}

{{/*
Init containers: the extra ones first (e.g. wait for a dependency), then the
database migration, which reuses the app image (or a repository built with
the same release tag), its environment and its mounts.
*/}}
{{- define "platform.initContainers" -}}
{{- $root := . -}}
{{- range .Values.initContainers }}
- name: {{ .name }}
  image: {{ .image }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  {{- with .command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .env }}
  env:
    {{- range $name, $value := . }}
    - name: {{ $name }}
      value: {{ $value | quote }}
    {{- end }}
  {{- end }}
  {{- with .resources | default $root.Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "platform.containerSecurityContext" $root | nindent 4 }}
  {{- if $root.Values.tmpDir.enabled }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
  {{- end }}
{{- end }}
{{- with .Values.migration }}
{{- if .enabled }}
- name: migrate
  image: {{ include "platform.imageFor" (list $root (.image.repository | default $root.Values.image.repository)) }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  command:
    {{- toYaml (required "migration.command is required when migration.enabled is true" .command) | nindent 4 }}
  {{- with .args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- /* The migration's own env entries win over the app's. */}}
  {{- with include "platform.envBlock" (list $root (merge (dict) (.env | default dict) ($root.Values.env | default dict))) }}
  {{- . | trim | nindent 2 }}
  {{- end }}
  {{- with .resources | default $root.Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "platform.containerSecurityContext" $root | nindent 4 }}
  {{- with include "platform.volumeMounts" $root }}
  volumeMounts:
    {{- . | trim | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Volumes: /tmp as an emptyDir (the root filesystem is read-only), the
service's ConfigMap when it is mounted, then values.volumes (a map keyed by
volume name, so that environment overlays can add or change one entry).
*/}}
{{- define "platform.volumes" -}}
{{- if .Values.tmpDir.enabled }}
- name: tmp
  emptyDir:
    {{- with .Values.tmpDir.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}
{{- if and (include "platform.hasConfigMap" .) .Values.configMap.mountPath }}
- name: config
  configMap:
    name: {{ include "platform.name" . }}
{{- end }}
{{- range $name, $volume := .Values.volumes }}
- name: {{ $name }}
  {{- range $source := list "emptyDir" "secret" "configMap" "persistentVolumeClaim" }}
  {{- with index $volume $source }}
  {{ $source }}:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "platform.volumeMounts" -}}
{{- if .Values.tmpDir.enabled }}
- name: tmp
  mountPath: /tmp
{{- end }}
{{- if and (include "platform.hasConfigMap" .) .Values.configMap.mountPath }}
- name: config
  mountPath: {{ .Values.configMap.mountPath }}
  readOnly: true
{{- end }}
{{- range $name, $volume := .Values.volumes }}
- name: {{ $name }}
  mountPath: {{ $volume.mountPath }}
  {{- with $volume.subPath }}
  subPath: {{ . }}
  {{- end }}
  {{- if $volume.readOnly }}
  readOnly: true
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Spread over zones and nodes. matchLabelKeys scopes the skew to one revision,
so that a rolling update does not count the pods it is replacing.
*/}}
{{- define "platform.topologySpreadConstraints" -}}
{{- $hashLabel := ternary "rollouts-pod-template-hash" "pod-template-hash" (include "platform.rolloutEnabled" . | eq "true") -}}
{{- range $key, $topologyKey := dict "zone" "topology.kubernetes.io/zone" "hostname" "kubernetes.io/hostname" }}
{{- with index $.Values.topologySpread $key }}
{{- if .enabled }}
- maxSkew: {{ .maxSkew }}
  topologyKey: {{ $topologyKey }}
  whenUnsatisfiable: {{ .whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "platform.selectorLabels" $ | nindent 6 }}
  matchLabelKeys:
    - {{ $hashLabel }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "platform.affinity" -}}
{{- if eq .Values.podAntiAffinity "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "platform.selectorLabels" . | nindent 12 }}
{{- else if eq .Values.podAntiAffinity "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "platform.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end -}}
