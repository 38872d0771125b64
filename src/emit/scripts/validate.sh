fleetc check --spec "$FLEETC_SPEC" --format gitlab > gl-code-quality-report.json || { fleetc check --spec "$FLEETC_SPEC"; exit 1; }
if [ -n "$CI_MERGE_REQUEST_DIFF_BASE_SHA" ]; then git fetch --quiet origin "$CI_MERGE_REQUEST_DIFF_BASE_SHA"; fleetc diff --spec "$FLEETC_SPEC" --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --format markdown > fleetc-diff.md; cat fleetc-diff.md; fi
