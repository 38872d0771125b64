# The image the generated pipeline runs fleetc in (`pipeline.fleetcImage`): fleetc, git, kubectl
# and a POSIX sh (the generated job scripts are POSIX sh). No ENTRYPOINT: GitLab CI runs the job
# script through the image's shell.
#
#   docker build -t registry.example.com/platform/fleetc:0.1 .
#
# Pinned: the Rust and Debian images by tag (pass @sha256 digests through the ARGs to pin harder)
# and kubectl by version and SHA-256 of the official release binary.

ARG RUST_VERSION=1.95.0
ARG DEBIAN_RELEASE=trixie

# --- fleetc, built from this checkout with the committed Cargo.lock ---
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked --bin fleetc \
 && install -m 0755 target/release/fleetc /usr/local/bin/fleetc \
 && /usr/local/bin/fleetc --version

# --- kubectl, the official release binary, checked against its published SHA-256 ---
# (This stage runs on the target platform, so dpkg's architecture is the one to download.)
FROM debian:${DEBIAN_RELEASE}-slim AS kubectl
ARG KUBECTL_VERSION=v1.35.2
ARG KUBECTL_SHA256_AMD64=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277
ARG KUBECTL_SHA256_ARM64=cd859449f54ad2cb05b491c490c13bb836cdd0886ae013c0aed3dd67ff747467
# Debian's package versions are not pinned: a point release replaces them on the mirrors.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN set -eu; \
    arch="$(dpkg --print-architecture)"; \
    case "$arch" in \
      amd64) sha256="${KUBECTL_SHA256_AMD64}" ;; \
      arm64) sha256="${KUBECTL_SHA256_ARM64}" ;; \
      *) echo "no kubectl checksum for $arch" >&2; exit 1 ;; \
    esac; \
    curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/$arch/kubectl"; \
    printf '%s  %s\n' "$sha256" /usr/local/bin/kubectl > /tmp/kubectl.sha256; \
    sha256sum -c /tmp/kubectl.sha256; \
    chmod 0755 /usr/local/bin/kubectl; \
    /usr/local/bin/kubectl version --client

# --- runtime ---
FROM debian:${DEBIAN_RELEASE}-slim
# CI checks the repository out as another user than this image's; git refuses to work in such a
# tree unless told it is safe (safe.directory). Debian's versions are not pinned (see above).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --create-home --shell /bin/sh fleetc \
 && git config --system --add safe.directory '*'
COPY --from=kubectl /usr/local/bin/kubectl /usr/local/bin/kubectl
COPY --from=build /usr/local/bin/fleetc /usr/local/bin/fleetc
USER 10001:10001
WORKDIR /home/fleetc
CMD ["fleetc", "--help"]
