kubectl config use-context "$KUBE_CONTEXT"
{% for w in waits %}
fleetc_wait_image {{ w.namespace|sh }} {{ w.image|sh }}:"$CI_COMMIT_SHA"
{% endfor %}
{% for r in rollouts %}
fleetc_rollout {{ r.namespace|sh }} {{ r.kind|sh }}/{{ r.name|sh }}
{% endfor %}
{% for ns in charts %}
fleetc_rollout_all {{ ns|sh }}
{% endfor %}
