fleetc_wait_image() {
  deadline=$(( $(date +%s) + {{ seconds|int }} ))
  until kubectl --namespace "$1" get deployments,statefulsets,daemonsets,cronjobs -o jsonpath='{..image}' | tr ' ' '\n' | grep -qxF "$2:$CI_COMMIT_SHA"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "Fleet has not rolled out $2:$CI_COMMIT_SHA in namespace $1 within "{{ timeout|sh }} >&2
      exit 1
    fi
    sleep 10
  done
}
