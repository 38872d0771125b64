{% if cluster %}
fleetc verify --spec "$FLEETC_SPEC" --cluster {{ cluster|sh }} --tag "$CI_COMMIT_SHA" --revision "${{ '{' }}{{ revision }}:-}"
{% else %}
fleetc verify --spec "$FLEETC_SPEC" --environment {{ environment|sh }} --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --tag "$CI_COMMIT_SHA" --revision "${{ '{' }}{{ revision }}:-}"
{% endif %}
