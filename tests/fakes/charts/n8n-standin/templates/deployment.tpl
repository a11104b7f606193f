{{- $root := . -}}
{{- $fullname := include "standin.fullname" . -}}
{{- range $component := list "main" "worker" }}
{{- $values := index $root.Values $component }}
{{- if or (eq $component "main") $values.enabled }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}{{ if ne $component "main" }}-{{ $component }}{{ end }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "standin.labels" $root | nindent 4 }}
spec:
  {{- if not $values.autoscaling.enabled }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  strategy:
    type: {{ $values.deploymentStrategy.type }}
  selector:
    matchLabels:
      {{- include "standin.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/type: {{ ternary "master" $component (eq $component "main") }}
  template:
    metadata:
      {{- with $values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "standin.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/type: {{ ternary "master" $component (eq $component "main") }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- /* as the real chart: both components run as main's service account */}}
      serviceAccountName: {{ include "standin.serviceAccountName" $root }}
      securityContext:
        {{- toYaml $values.podSecurityContext | nindent 8 }}
      {{- with $values.initContainers }}
      initContainers:
        {{- tpl (toYaml .) $root | nindent 8 }}
      {{- end }}
      containers:
        - name: n8n{{ if ne $component "main" }}-{{ $component }}{{ end }}
          image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- if ne $component "main" }}
          command: ["n8n"]
          args: ["worker", "--concurrency={{ $values.concurrency }}"]
          {{- end }}
          {{- include "standin.environment" (dict "root" $root "component" $component) | nindent 10 }}
          securityContext:
            {{- toYaml $values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: 5678
              protocol: TCP
          livenessProbe:
            {{- toYaml $values.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml $values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          volumeMounts:
            - name: data
              mountPath: /home/node/.n8n
            {{- with $values.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      {{- if hasKey $values "terminationGracePeriodSeconds" }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      {{- end }}
      volumes:
        - name: data
          emptyDir: {}
        {{- with $values.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- end }}
{{- end }}
