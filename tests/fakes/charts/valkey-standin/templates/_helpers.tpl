{{/* Stand-in for the Bitnami valkey sub-chart: see ../values.yaml and tests/fakes/README.md. */}}

{{/* common.names.fullname: the release name when it contains the chart's name, else <release>-valkey. */}}
{{- define "valkey.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "valkey.matchLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "valkey.labels" -}}
{{ include "valkey.matchLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* common.compatibility.renderSecurityContext on a cluster that is not OpenShift: the context less "enabled". */}}
{{- define "valkey.securityContext" -}}
{{- omit . "enabled" | toYaml -}}
{{- end -}}

{{- define "valkey.primaryServiceAccountName" -}}
{{- if .Values.primary.serviceAccount.create -}}
{{- default (printf "%s-primary" (include "valkey.fullname" .)) .Values.primary.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.primary.serviceAccount.name -}}
{{- end -}}
{{- end -}}
