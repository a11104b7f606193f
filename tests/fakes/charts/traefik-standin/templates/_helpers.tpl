{{/* Stand-in for the traefik/traefik chart: see ../README.md. */}}

{{/* As the real chart: the release name when it contains "traefik", else <release>-traefik. */}}
{{- define "standin.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The real chart's name for it: the default autoscaling.scaleTargetRef.name is a tpl string that calls it. */}}
{{- define "traefik.fullname" -}}
{{- include "standin.fullname" . -}}
{{- end -}}

{{- define "standin.selectorLabels" -}}
app.kubernetes.io/name: traefik
app.kubernetes.io/instance: {{ include "standin.fullname" . }}-{{ .Release.Namespace }}
{{- end -}}

{{- define "standin.labels" -}}
{{ include "standin.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
Flattens a map into Traefik command-line flags the way the real chart's traefik.yaml2CommandLineArgs does, quirks
included: an empty map and a false or empty value produce no flag, lists are joined with commas.
{letsencrypt: {acme: {email: x, tlsChallenge: true}}} -> "--certificatesresolvers.letsencrypt.acme.email=x",
"--certificatesresolvers.letsencrypt.acme.tlsChallenge=true"
*/}}
{{- define "standin.flags" -}}
{{- $path := .path -}}
{{- range $key, $value := .content -}}
{{- if kindIs "map" $value -}}
{{- include "standin.flags" (dict "path" (printf "%s.%s" $path $key) "content" $value) -}}
{{- else -}}
{{- with $value -}}
{{- printf "\n- %q" (printf "--%s.%s=%s" $path $key (join "," $value)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
