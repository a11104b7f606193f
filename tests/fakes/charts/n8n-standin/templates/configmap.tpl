{{- $fullname := include "standin.fullname" . -}}
{{- if .Values.main.config }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}-app-config
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
data:
  {{- include "standin.env" (dict "values" .Values.main.config "prefix" "") | nindent 2 }}
{{- end }}
{{- if and .Values.worker.enabled .Values.worker.config }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}-worker-config
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
data:
  {{- include "standin.env" (dict "values" .Values.worker.config "prefix" "") | nindent 2 }}
{{- end }}
