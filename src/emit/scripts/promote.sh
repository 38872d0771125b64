{% if first %}
# The images this pipeline built enter promotion here; the revision is the commit that pins them.
{% else %}
# What this pipeline promoted to the previous environment, and verified there.
revision="${{ '{' }}{{ previous_variable }}:-}"
if [ -z "$revision" ]; then echo "promote:"{{ previous|sh }}" has not run in this pipeline" >&2; exit 1; fi
{% endif %}
push_url="${CI_SERVER_PROTOCOL}://fleetc:${FLEETC_GIT_TOKEN}@${CI_SERVER_URL#*://}/${CI_PROJECT_PATH}.git"
attempt=1
while :; do
  git fetch --quiet origin "$CI_DEFAULT_BRANCH" || exit 1
  git checkout --quiet -B "$CI_DEFAULT_BRANCH" "origin/$CI_DEFAULT_BRANCH" || exit 1
{% if first %}
  # Refused (the job fails) when a newer pipeline already pinned newer images.
  fleetc pin --spec "$FLEETC_SPEC" --tag "$CI_COMMIT_SHA" || exit 1
  fleetc build --spec "$FLEETC_SPEC" || exit 1
  git add --all
  if ! git diff --cached --quiet; then
    git -c user.name="fleetc" -c user.email="fleetc@$CI_SERVER_HOST" commit --quiet --message "fleetc: pin images of $CI_COMMIT_SHORT_SHA [skip ci]" || exit 1
  fi
  revision=$(git rev-parse HEAD) || exit 1
{% endif %}
  # Refused (the job fails) when the environment already runs a newer revision.
  fleetc pin --spec "$FLEETC_SPEC" --environment {{ env|sh }} --revision "$revision" || exit 1
  fleetc build --spec "$FLEETC_SPEC" || exit 1
  git add --all
  if git diff --cached --quiet; then
    echo {{ env|sh }}" already runs $revision"
    break
  fi
  git -c user.name="fleetc" -c user.email="fleetc@$CI_SERVER_HOST" commit --quiet --message "fleetc: promote $revision to "{{ env|sh }}" [skip ci]" || exit 1
  if git push --quiet "$push_url" "HEAD:$CI_DEFAULT_BRANCH"; then
    break
  fi
  # Someone pushed in between: start again from their commit.
  if [ "$attempt" -ge 5 ]; then echo "cannot push after $attempt attempts" >&2; exit 1; fi
  attempt=$((attempt + 1))
  sleep $((attempt * 5))
done
echo {{ variable|sh }}"=$revision" > fleetc-promote.env
