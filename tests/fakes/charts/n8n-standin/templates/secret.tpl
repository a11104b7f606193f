{{- if .Values.main.secret }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "standin.fullname" . }}-app-secret
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
type: Opaque
stringData:
  {{- include "standin.env" (dict "values" .Values.main.secret "prefix" "") | nindent 2 }}
{{- end }}
