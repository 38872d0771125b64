{% if credentials %}
# Another registry than the project's own: the job token cannot push there.
printf '%s' "${{ '{' }}{{ credentials.password }}}" | docker login --username "${{ '{' }}{{ credentials.username }}}" --password-stdin {{ host|sh }}
{% else %}
echo "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
{% endif %}
docker build --file {{ dockerfile|sh }} --tag {{ image|sh }}:"$CI_COMMIT_SHA" {{ context|sh }}
docker push {{ image|sh }}:"$CI_COMMIT_SHA"
