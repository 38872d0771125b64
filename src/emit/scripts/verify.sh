# The promoted commit: its spec says what the environment now runs.
revision="${{ '{' }}{{ revision }}:-}"
if [ -n "$revision" ]; then git fetch --quiet --depth=1 origin "$revision" || exit 1; fi
{% if cluster %}
fleetc verify --spec "$FLEETC_SPEC" --cluster {{ cluster|sh }} --tag "$CI_COMMIT_SHA" --revision "$revision"
{% else %}
fleetc verify --spec "$FLEETC_SPEC" --environment {{ environment|sh }} --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --tag "$CI_COMMIT_SHA" --revision "$revision"
{% endif %}
