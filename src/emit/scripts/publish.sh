echo "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
docker build --file {{ dockerfile|sh }} --tag {{ image|sh }}:"$CI_COMMIT_SHA" {{ context|sh }}
docker push {{ image|sh }}:"$CI_COMMIT_SHA"
