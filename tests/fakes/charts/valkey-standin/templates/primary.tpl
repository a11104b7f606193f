{{- /* The primary: ServiceAccount and StatefulSet, with the security contexts, token and volumes the real
templates/primary/*.yaml render from the same values (no metrics sidecar, no sentinel, no volume-permissions init
container: all off by default and never turned on by the role; the ConfigMaps the volumes name are not rendered).
No PodDisruptionBudget, as the real 2.4.7: its primary/pdb.yaml tests .Values.primary.count, a key that does not
exist, so primary.pdb.create renders nothing. */ -}}
{{- if ne .Values.architecture "standalone" }}
{{- fail "the valkey stand-in renders architecture standalone only (the real chart adds replica StatefulSets for replication)" }}
{{- end }}
{{- $fullname := include "valkey.fullname" . -}}
{{- $primary := .Values.primary -}}
{{- if $primary.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
automountServiceAccountToken: {{ $primary.serviceAccount.automountServiceAccountToken }}
metadata:
  name: {{ include "valkey.primaryServiceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "valkey.labels" . | nindent 4 }}
{{- end }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $fullname }}-primary
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "valkey.labels" . | nindent 4 }}
    app.kubernetes.io/component: primary
spec:
  replicas: {{ $primary.replicaCount }}
  serviceName: {{ $fullname }}-headless
  selector:
    matchLabels:
      {{- include "valkey.matchLabels" . | nindent 6 }}
      {{- with $primary.podLabels }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      app.kubernetes.io/component: primary
  template:
    metadata:
      labels:
        {{- include "valkey.labels" . | nindent 8 }}
        {{- with $primary.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        app.kubernetes.io/component: primary
    spec:
      {{- if $primary.podSecurityContext.enabled }}
      securityContext:
        {{- include "valkey.securityContext" $primary.podSecurityContext | nindent 8 }}
      {{- end }}
      serviceAccountName: {{ include "valkey.primaryServiceAccountName" . }}
      automountServiceAccountToken: {{ $primary.automountServiceAccountToken }}
      enableServiceLinks: {{ $primary.enableServiceLinks }}
      terminationGracePeriodSeconds: {{ $primary.terminationGracePeriodSeconds }}
      containers:
        - name: valkey
          image: docker.io/bitnami/valkey:8.0.2-debian-12-r6
          {{- if $primary.containerSecurityContext.enabled }}
          securityContext:
            {{- include "valkey.securityContext" $primary.containerSecurityContext | nindent 12 }}
          {{- end }}
          command: ["/bin/bash"]
          args: ["-c", "/opt/bitnami/scripts/start-scripts/start-primary.sh"]
          env:
            - name: VALKEY_REPLICATION_MODE
              value: primary
            - name: ALLOW_EMPTY_PASSWORD
              value: {{ ternary "no" "yes" .Values.auth.enabled | quote }}
            {{- if .Values.auth.enabled }}
            - name: VALKEY_PASSWORD_FILE
              value: /opt/bitnami/valkey/secrets/valkey-password
            {{- end }}
            - name: VALKEY_PORT
              value: "6379"
          ports:
            - name: redis
              containerPort: 6379
          {{- with $primary.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: start-scripts
              mountPath: /opt/bitnami/scripts/start-scripts
            - name: health
              mountPath: /health
            - name: valkey-password
              mountPath: /opt/bitnami/valkey/secrets/
            - name: valkey-data
              mountPath: {{ $primary.persistence.path }}
            - name: config
              mountPath: /opt/bitnami/valkey/mounted-etc
            - name: empty-dir
              mountPath: /opt/bitnami/valkey/etc/
              subPath: app-conf-dir
            - name: empty-dir
              mountPath: /tmp
              subPath: tmp-dir
      volumes:
        - name: start-scripts
          configMap:
            name: {{ $fullname }}-scripts
            defaultMode: 0755
        - name: health
          configMap:
            name: {{ $fullname }}-health
            defaultMode: 0755
        - name: valkey-password
          secret:
            secretName: {{ $fullname }}
            items:
              - key: valkey-password
                path: valkey-password
        - name: config
          configMap:
            name: {{ $fullname }}-configuration
        - name: empty-dir
          emptyDir: {}
        {{- if not $primary.persistence.enabled }}
        - name: valkey-data
          emptyDir: {}
        {{- end }}
  {{- if $primary.persistence.enabled }}
  volumeClaimTemplates:
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: valkey-data
        labels:
          {{- include "valkey.matchLabels" . | nindent 10 }}
          app.kubernetes.io/component: primary
      spec:
        accessModes:
          {{- toYaml $primary.persistence.accessModes | nindent 10 }}
        resources:
          requests:
            storage: {{ $primary.persistence.size | quote }}
  {{- end }}
