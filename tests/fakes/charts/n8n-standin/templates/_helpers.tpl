{{/* Stand-in for the 8gears n8n chart: see ../README.md. */}}

{{/* As the real chart: the release name when it contains the chart's name, else <release>-n8n. */}}
{{- define "standin.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "standin.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "standin.labels" -}}
{{ include "standin.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
A values tree as environment variables, the way the real chart turns main.config into its ConfigMap: nested keys
are joined with "_" and upper-cased ({db: {type: postgresdb}} -> DB_TYPE), values become quoted strings.
*/}}
{{- define "standin.env" -}}
{{- $prefix := .prefix -}}
{{- range $key, $value := .values -}}
{{- $name := upper (ternary $key (printf "%s_%s" $prefix $key) (eq $prefix "")) -}}
{{- if kindIs "map" $value -}}
{{- include "standin.env" (dict "values" $value "prefix" $name) -}}
{{- else -}}
{{- printf "%s: %s\n" $name (toString $value | quote) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The containers' envFrom and env of a component (main or worker): the main config, then the component's own. */}}
{{- define "standin.environment" -}}
{{- $fullname := include "standin.fullname" .root -}}
envFrom:
  {{- if .root.Values.main.config }}
  - configMapRef:
      name: {{ $fullname }}-app-config
  {{- end }}
  {{- if .root.Values.main.secret }}
  - secretRef:
      name: {{ $fullname }}-app-secret
  {{- end }}
  {{- if and (ne .component "main") (index .root.Values .component).config }}
  - configMapRef:
      name: {{ $fullname }}-{{ .component }}-config
  {{- end }}
env:
  {{- range $name, $source := (index .root.Values .component).extraEnv }}
  - name: {{ $name }}
    {{- toYaml $source | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* As the real chart's n8n.serviceAccountName: from main.serviceAccount, for main and workers alike. */}}
{{- define "standin.serviceAccountName" -}}
{{- if .Values.main.serviceAccount.create -}}
{{- default (include "standin.fullname" .) .Values.main.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.main.serviceAccount.name -}}
{{- end -}}
{{- end -}}
