git fetch origin "$CI_DEFAULT_BRANCH"
git checkout -B "$CI_DEFAULT_BRANCH" "origin/$CI_DEFAULT_BRANCH"
fleetc pin --spec "$FLEETC_SPEC" --environment {{ env|sh }} --tag "$CI_COMMIT_SHA"
fleetc build --spec "$FLEETC_SPEC"
git add --all
if git diff --cached --quiet; then echo {{ env|sh }}" already runs $CI_COMMIT_SHORT_SHA"; exit 0; fi
git -c user.name="fleetc" -c user.email="fleetc@$CI_SERVER_HOST" commit --message "fleetc: promote $CI_COMMIT_SHORT_SHA to "{{ env|sh }}" [skip ci]"
git push "https://fleetc:${FLEETC_GIT_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git" "HEAD:$CI_DEFAULT_BRANCH"
