{{/*
platform.ingress: edge exposure where there is no mesh. A Kubernetes Ingress
can neither cross namespaces nor rewrite paths portably, so every route
prefix goes to this service, which proxies to its backends itself.
*/}}
{{- define "platform.ingress" -}}
{{- if and (not (include "platform.meshEnabled" .)) (include "platform.exposed" .) -}}
{{- $root := . -}}
{{- with .Values.expose -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  {{- include "platform.metadata" $root | nindent 2 }}
  {{- with .ingressAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .ingressClassName }}
  ingressClassName: {{ . }}
  {{- end }}
  tls:
    - hosts:
        {{- toYaml .hosts | nindent 8 }}
      secretName: {{ required "expose.tlsSecretName is required when expose.enabled is true" .tlsSecretName }}
  rules:
    {{- range $host := .hosts }}
    - host: {{ $host }}
      http:
        paths:
          {{- range $root.Values.expose.routes }}
          - path: {{ .prefix }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "platform.name" $root }}
                port:
                  name: {{ $root.Values.service.appProtocol }}
          {{- end }}
    {{- end }}
{{- end -}}
{{- end -}}
{{- end -}}
