{{- /* As the real templates/networkpolicy.yaml for architecture standalone without metrics: with allowExternal
false, only pods labelled <fullname>-client: "true" (and Valkey's own) may connect. */ -}}
{{- if .Values.networkPolicy.enabled }}
{{- $fullname := include "valkey.fullname" . -}}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "valkey.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "valkey.matchLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  egress:
    {{- if .Values.networkPolicy.allowExternalEgress }}
    - {}
    {{- else }}
    {{- with .Values.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- end }}
  ingress:
    - ports:
        - port: 6379
      {{- if not .Values.networkPolicy.allowExternal }}
      from:
        - podSelector:
            matchLabels:
              {{ $fullname }}-client: "true"
        - podSelector:
            matchLabels:
              {{- include "valkey.matchLabels" . | nindent 14 }}
        {{- if or .Values.networkPolicy.ingressNSMatchLabels .Values.networkPolicy.ingressNSPodMatchLabels }}
        - namespaceSelector:
            matchLabels:
              {{- toYaml (.Values.networkPolicy.ingressNSMatchLabels | default dict) | nindent 14 }}
          {{- with .Values.networkPolicy.ingressNSPodMatchLabels }}
          podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
          {{- end }}
        {{- end }}
      {{- end }}
    {{- with .Values.networkPolicy.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
