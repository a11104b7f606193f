{{- $root := . -}}
{{- $fullname := include "standin.fullname" . -}}
{{- range $component := list "main" "worker" }}
{{- $values := index $root.Values $component }}
{{- if and (or (eq $component "main") $values.enabled) $values.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $fullname }}{{ if ne $component "main" }}-{{ $component }}{{ end }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "standin.labels" $root | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $fullname }}{{ if ne $component "main" }}-{{ $component }}{{ end }}
  minReplicas: {{ $values.autoscaling.minReplicas }}
  maxReplicas: {{ $values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}
