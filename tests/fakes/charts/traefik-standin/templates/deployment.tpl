{{- $fullname := include "standin.fullname" . -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "standin.labels" . | nindent 4 }}
spec:
  {{- /* the real chart: "Set to null to omit spec.replicas, e.g. when an external controller (HPA/KEDA) owns scaling" */}}
  {{- if not (kindIs "invalid" .Values.deployment.replicas) }}
  replicas: {{ .Values.deployment.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "standin.selectorLabels" . | nindent 6 }}
  strategy:
    type: {{ .Values.updateStrategy.type }}
  template:
    metadata:
      labels:
        {{- include "standin.labels" . | nindent 8 }}
      {{- if .Values.metrics.prometheus }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/path: /metrics
        prometheus.io/port: {{ quote (index .Values.ports .Values.metrics.prometheus.entryPoint).port }}
      {{- end }}
    spec:
      {{- /* as the real _podtemplate.tpl: the chart's service account, its token always mounted (Traefik watches
      the API), hostNetwork from the values */}}
      serviceAccountName: {{ default $fullname .Values.serviceAccount.name }}
      automountServiceAccountToken: true
      hostNetwork: {{ .Values.hostNetwork }}
      {{- with .Values.deployment.initContainers }}
      initContainers:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $fullname }}
          image: "docker.io/traefik:{{ .Chart.AppVersion }}"
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          readinessProbe:
            httpGet:
              path: /ping
              port: {{ .Values.ports.traefik.port }}
            {{- toYaml .Values.readinessProbe | nindent 12 }}
          livenessProbe:
            httpGet:
              path: /ping
              port: {{ .Values.ports.traefik.port }}
            {{- toYaml .Values.livenessProbe | nindent 12 }}
          ports:
            {{- range $name, $port := .Values.ports }}
            {{- if $port }}
            - name: {{ $name | trunc 15 }}
              containerPort: {{ $port.port }}
              protocol: {{ default "TCP" $port.protocol }}
            {{- end }}
            {{- end }}
          {{- with .Values.securityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: {{ .Values.persistence.name }}
              mountPath: {{ .Values.persistence.path }}
            - name: tmp
              mountPath: /tmp
          args:
            {{- range $name, $port := .Values.ports }}
            {{- if $port }}
            - "--entryPoints.{{ $name }}.address=:{{ $port.port }}/{{ default "tcp" $port.protocol | lower }}"
            {{- with (($port.http).redirections).entryPoint }}
            - "--entryPoints.{{ $name }}.http.redirections.entryPoint.to=:{{ (index $.Values.ports .to).exposedPort }}"
            {{- with .scheme }}
            - "--entryPoints.{{ $name }}.http.redirections.entryPoint.scheme={{ . }}"
            {{- end }}
            {{- if hasKey . "permanent" }}
            - "--entryPoints.{{ $name }}.http.redirections.entryPoint.permanent={{ .permanent }}"
            {{- end }}
            {{- end }}
            {{- with ($port.http).middlewares }}
            - "--entryPoints.{{ $name }}.http.middlewares={{ join "," . }}"
            {{- end }}
            {{- with $port.proxyProtocol }}
            {{- if .trustedIPs }}
            - "--entryPoints.{{ $name }}.proxyProtocol.trustedIPs={{ join "," .trustedIPs }}"
            {{- end }}
            {{- if .insecure }}
            - "--entryPoints.{{ $name }}.proxyProtocol.insecure"
            {{- end }}
            {{- end }}
            {{- if (($port.http).tls).enabled }}
            - "--entryPoints.{{ $name }}.http.tls=true"
            {{- with $port.http.tls.options }}
            - "--entryPoints.{{ $name }}.http.tls.options={{ . }}"
            {{- end }}
            {{- with $port.http.tls.certResolver }}
            - "--entryPoints.{{ $name }}.http.tls.certResolver={{ . }}"
            {{- end }}
            {{- end }}
            {{- end }}
            {{- end }}
            {{- if .Values.api.dashboard }}
            - "--api.dashboard=true"
            {{- end }}
            - "--ping=true"
            {{- if .Values.metrics.prometheus }}
            - "--metrics.prometheus=true"
            - "--metrics.prometheus.entrypoint={{ .Values.metrics.prometheus.entryPoint }}"
            {{- end }}
            {{- if .Values.providers.kubernetesCRD.enabled }}
            - "--providers.kubernetescrd"
            {{- with .Values.providers.kubernetesCRD.defaultTLSResourcesNamespace }}
            - "--providers.kubernetescrd.defaultTLSResourcesNamespace={{ . }}"
            {{- end }}
            {{- end }}
            {{- if .Values.providers.kubernetesIngress.enabled }}
            - "--providers.kubernetesingress"
            {{- end }}
            {{- with .Values.log.level }}
            - "--log.level={{ . }}"
            {{- end }}
            {{- if .Values.accessLog.enabled }}
            - "--accesslog=true"
            {{- end }}
            {{- with .Values.certificatesResolvers }}
            {{- include "standin.flags" (dict "path" "certificatesresolvers" "content" .) | trim | nindent 12 }}
            {{- end }}
            {{- range .Values.additionalArguments }}
            - {{ . | quote }}
            {{- end }}
      volumes:
        - name: {{ .Values.persistence.name }}
          {{- if .Values.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ default $fullname .Values.persistence.existingClaim }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        - name: tmp
          emptyDir: {}
