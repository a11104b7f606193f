{{- if .Values.autoscaling.enabled -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "standin.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: {{ .Values.autoscaling.scaleTargetRef.apiVersion }}
    kind: {{ .Values.autoscaling.scaleTargetRef.kind }}
    name: {{ tpl .Values.autoscaling.scaleTargetRef.name . }}
  {{- if not (kindIs "invalid" .Values.autoscaling.minReplicas) }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  {{- end }}
  maxReplicas: {{ required "autoscaling.maxReplicas is required when autoscaling.enabled" .Values.autoscaling.maxReplicas }}
  {{- with .Values.autoscaling.metrics }}
  metrics:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
