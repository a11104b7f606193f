{{- if .Values.service.enabled -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ default (include "standin.fullname" .) .Values.service.nameOverride }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.service.spec }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  selector:
    {{- include "standin.selectorLabels" . | nindent 4 }}
  ports:
    {{- range $name, $port := .Values.ports }}
    {{- if and $port ($port.expose).default }}
    - name: {{ $name }}
      port: {{ $port.exposedPort }}
      targetPort: {{ $name | trunc 15 }}
      protocol: {{ default "TCP" $port.protocol }}
    {{- end }}
    {{- end }}
{{- end }}
