kubectl config use-context "$KUBE_CONTEXT"
{% for w in waits %}
fleetc_wait_image {{ w.namespace|sh }} {{ w.image|sh }}
{% endfor %}
{% for r in rollouts %}
kubectl --namespace {{ r.namespace|sh }} rollout status {{ r.kind|sh }}/{{ r.name|sh }} --timeout={{ timeout|sh }}
{% endfor %}
{% for ns in charts %}
for w in $(kubectl --namespace {{ ns|sh }} get deployments,statefulsets,daemonsets -o name); do kubectl --namespace {{ ns|sh }} rollout status "$w" --timeout={{ timeout|sh }}; done
{% endfor %}
