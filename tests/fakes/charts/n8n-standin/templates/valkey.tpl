{{- /* Stand-in for the Bitnami valkey sub-chart (valkey.enabled): the objects n8n depends on, under the names the
sub-chart gives them: Secret <release>-valkey (key valkey-password, kept across upgrades), Service
<release>-valkey-primary:6379 and its Deployment. */ -}}
{{- if .Values.valkey.enabled }}
{{- $name := printf "%s-valkey" .Release.Name -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: valkey
    app.kubernetes.io/instance: {{ .Release.Name }}
type: Opaque
data:
  valkey-password: {{ ternary (index ($existing.data | default dict) "valkey-password") (randAlphaNum 24 | b64enc) (and (not (empty $existing)) (hasKey ($existing.data | default dict) "valkey-password")) }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}-primary
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: valkey
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  type: ClusterIP
  ports:
    - name: tcp-redis
      port: 6379
      targetPort: 6379
  selector:
    app.kubernetes.io/name: valkey
    app.kubernetes.io/instance: {{ .Release.Name }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}-primary
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: valkey
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: valkey
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: valkey
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: valkey
          image: docker.io/bitnami/valkey:8.1
          env:
            - name: VALKEY_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $name }}
                  key: valkey-password
          ports:
            - name: redis
              containerPort: 6379
{{- end }}
