kubectl config use-context "$KUBE_CONTEXT"
{% for ws in workspaces %}kubectl get bundles.fleet.cattle.io --namespace {{ ws|sh }} -o custom-columns='BUNDLE:.metadata.name,READY:.status.display.readyClusters,STATE:.status.display.state'{% if not loop.first %} --no-headers{% endif %} {% if loop.first %}>{% else %}>>{% endif %} fleet-bundles.txt
{% endfor %}cat fleet-bundles.txt
awk 'NR > 1 && $3 != "<none>"' fleet-bundles.txt > drift-report.txt
if [ -s drift-report.txt ]; then echo "Fleet bundles that are not Ready:" >&2; cat drift-report.txt >&2; exit 1; fi
echo "Every Fleet bundle is Ready."
