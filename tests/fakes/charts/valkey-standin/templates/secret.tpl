{{- /* Secret <fullname>, key valkey-password: generated once, then kept across upgrades (as the real chart's
common.secrets.passwords.manage does). */ -}}
{{- if .Values.auth.enabled }}
{{- $name := include "valkey.fullname" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- $data := $existing.data | default dict -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "valkey.labels" . | nindent 4 }}
type: Opaque
data:
  valkey-password: {{ .Values.auth.password | b64enc | default (index $data "valkey-password") | default (randAlphaNum 24 | b64enc) }}
{{- end }}
