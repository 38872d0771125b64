# One deadline for the whole job: every wait and rollout gets what is left of it.
fleetc_deadline=$(( $(date +%s) + {{ seconds|int }} ))
fleetc_left() {
  left=$(( fleetc_deadline - $(date +%s) ))
  if [ "$left" -le 0 ]; then
    echo "verification ran out of time ("{{ timeout|sh }}")" >&2
    exit 1
  fi
}
# Waits until a workload in namespace $1 runs image $2 (as deployed: the replacement name, if
# any, and this pipeline's tag). A kubectl error fails at once instead of waiting it out.
fleetc_wait_image() {
  while :; do
    images=$(kubectl --namespace "$1" get deployments,statefulsets,daemonsets,cronjobs -o jsonpath='{..image}') || {
      echo "cannot read the workloads of namespace $1" >&2
      exit 1
    }
    if printf '%s\n' $images | grep -qxF "$2"; then
      return 0
    fi
    if [ "$(date +%s)" -ge "$fleetc_deadline" ]; then
      echo "Fleet has not rolled out $2 in namespace $1 within "{{ timeout|sh }} >&2
      exit 1
    fi
    sleep 10
  done
}
# Waits for the rollout of workload $2 (kind/name) in namespace $1.
fleetc_rollout() {
  fleetc_left
  kubectl --namespace "$1" rollout status "$2" --timeout="${left}s" || exit 1
}
# Waits for every workload in namespace $1; none at all means Fleet has not deployed it.
fleetc_rollout_all() {
  workloads=$(kubectl --namespace "$1" get deployments,statefulsets,daemonsets -o name) || {
    echo "cannot list the workloads of namespace $1" >&2
    exit 1
  }
  if [ -z "$workloads" ]; then
    echo "no workload in namespace $1: Fleet has not deployed it" >&2
    exit 1
  fi
  for w in $workloads; do
    fleetc_rollout "$1" "$w"
  done
}
