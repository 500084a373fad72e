# The imagegate container: what action.yml runs (`runs.using: docker`, `image: Dockerfile`, so
# GitHub builds this file on every run of the action) and what .github/workflows/release.yml
# publishes to GHCR for linux/amd64 and linux/arm64.
#
# Three stages: a static musl build of imagegate, a stage that downloads helm and kustomize and
# checks them against pinned sha256 sums, and a small Alpine runtime with the three binaries.
#
# Every FROM names a tag and a digest. The digest is what gets pulled; the tag is there for people
# and for Dependabot, which updates both together. Every digest below is a multi-platform image
# index (not a single-platform manifest), so the same line works for amd64 and arm64 builds.
# None of them could be re-checked against Docker Hub when they were written (no registry access
# there): each comment says where the digest was read.

# --- 1. build: imagegate as a static binary ---------------------------------------------------
# rust:1.98-alpine3.23, index digest from docker-library/repo-info,
# repos/rust/remote/1.98-alpine3.23.md (commit 0db03f6ce992b3d4c9d4cad41df56a2ffe4908dc, an image
# built 2026-08-20), the file Docker's official-images tooling writes for each tag. The same digest
# is pinned in other public Dockerfiles (`rust:1.98.0-alpine3.23@…`, `rust:1-alpine3.23@…`).
FROM docker.io/library/rust:1.98-alpine3.23@sha256:4743b6231029d726d7a0f81d730a7c9f4eff23225a4499c01e275efb5e260235 AS build

# The image already has gcc and musl-dev (ring, under rustls, compiles C), and its default
# target, *-unknown-linux-musl, links statically: no `apk add`, no RUSTFLAGS.
WORKDIR /src

# Dependencies first, so that a change to src/ does not download every crate again. The empty
# lib.rs only makes the manifest valid for `cargo fetch`; src/ replaces it below.
COPY Cargo.toml Cargo.lock ./
COPY .cargo/ .cargo/
RUN mkdir src && touch src/lib.rs && cargo fetch --locked

COPY src/ src/
# src/rules/*.rs compile docs/rules/*.md into the binary (include_str!).
COPY docs/rules/ docs/rules/
# The runtime image has no libgcc and no dynamic loader for this binary: fail the build if the
# binary came out dynamically linked (a PT_INTERP program header) instead of shipping one that
# cannot start.
RUN cargo build --release --locked \
    && readelf --program-headers target/release/imagegate > /tmp/program-headers \
    && if grep -q INTERP /tmp/program-headers; then \
         echo "imagegate is dynamically linked; expected a static musl binary" >&2; exit 1; \
       fi \
    && strip target/release/imagegate \
    && mkdir -p /out \
    && cp target/release/imagegate /out/imagegate

# --- 2. tools: helm and kustomize release archives, checked against pinned sha256 sums --------
# Runs on the build host's platform ($BUILDPLATFORM) and downloads the binaries for the target's
# ($TARGETARCH): nothing here executes target code, so arm64 images need no emulation here.
# alpine:3.24, index digest from docker-library/repo-info, repos/alpine/remote/3.24.md (commit
# 1746b58749182f00f5d2c26a53fff697cfce2c81, alpine 3.24.2 built 2026-09-17); also pinned in many
# other public Dockerfiles.
FROM --platform=$BUILDPLATFORM docker.io/library/alpine:3.24@sha256:5b02b42e375f7426f8d65c3af331ca05d9878f9989230354504e0b9dfd431f60 AS tools

ARG TARGETARCH
# Helm 4.2.3: the version of the Helm v4 SDK behind ../shared/tools/helm, which the test suite and
# .ci/run render charts with. Sums from the v4.2.3 release notes
# (https://github.com/helm/helm/releases/tag/v4.2.3), which link each
# https://get.helm.sh/helm-v4.2.3-linux-<arch>.tar.gz.sha256sum; the same two values are pinned in
# many public install scripts and Makefiles.
ARG HELM_VERSION=v4.2.3
ARG HELM_SHA256_AMD64=e9b88b4ee95b18c706839c28d3a0220e5bc470e9cd9262410c90793c45ff8b7c
ARG HELM_SHA256_ARM64=21abd9354d39b2cd79a8d76be6912cd137a983cbf997193503fb8a6a6e2f2785
# kustomize 5.8.1. Sums of kustomize_v5.8.1_linux_<arch>.tar.gz as listed in the release's
# checksums.txt (https://github.com/kubernetes-sigs/kustomize/releases/tag/kustomize%2Fv5.8.1);
# read here from several public pins that agree, not from the release page itself.
ARG KUSTOMIZE_VERSION=v5.8.1
ARG KUSTOMIZE_SHA256_AMD64=029a7f0f4e1932c52a0476cf02a0fd855c0bb85694b82c338fc648dcb53a819d
ARG KUSTOMIZE_SHA256_ARM64=0953ea3e476f66d6ddfcd911d750f5167b9365aa9491b2326398e289fef2c142

WORKDIR /tools
# Integrity rests on the pinned sums, not on the TLS of the download: changing a version without
# its sums fails at `sha256sum -c`.
RUN set -eu; \
    case "$TARGETARCH" in \
      amd64) helm_sha256="$HELM_SHA256_AMD64"; kustomize_sha256="$KUSTOMIZE_SHA256_AMD64" ;; \
      arm64) helm_sha256="$HELM_SHA256_ARM64"; kustomize_sha256="$KUSTOMIZE_SHA256_ARM64" ;; \
      *) echo "unsupported TARGETARCH '$TARGETARCH': helm and kustomize sums are pinned for amd64 and arm64 only" >&2; exit 1 ;; \
    esac; \
    wget -q -O helm.tar.gz "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz"; \
    wget -q -O kustomize.tar.gz "https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2F${KUSTOMIZE_VERSION}/kustomize_${KUSTOMIZE_VERSION}_linux_${TARGETARCH}.tar.gz"; \
    printf '%s  %s\n' "$helm_sha256" helm.tar.gz "$kustomize_sha256" kustomize.tar.gz > SHA256SUMS; \
    sha256sum -c SHA256SUMS; \
    tar -xzf helm.tar.gz "linux-${TARGETARCH}/helm"; \
    tar -xzf kustomize.tar.gz kustomize; \
    mkdir -p /out; \
    cp "linux-${TARGETARCH}/helm" kustomize /out/; \
    chmod 0755 /out/helm /out/kustomize

# --- 3. runtime --------------------------------------------------------------------------------
# alpine:3.24, the same index digest as the tools stage (docker-library/repo-info,
# repos/alpine/remote/3.24.md at commit 1746b58749182f00f5d2c26a53fff697cfce2c81). Alpine rather
# than distroless so that every digest in this file comes from Docker's own published list; it
# brings the CA bundle (/etc/ssl/certs/ca-certificates.crt, read by rustls-native-certs for the
# GitHub API) and nothing imagegate needs besides.
FROM docker.io/library/alpine:3.24@sha256:5b02b42e375f7426f8d65c3af331ca05d9878f9989230354504e0b9dfd431f60

COPY --from=tools /out/helm /out/kustomize /usr/local/bin/
COPY --from=build /out/imagegate /usr/local/bin/imagegate

# No USER instruction on purpose: GitHub runs container actions as the image's user with the
# workspace (/github/workspace) and the file-command files (/github/file_commands: GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY) mounted from the runner, and its docs require root for that — a non-root
# USER cannot write the SARIF file, the outputs or the job summary.
ENTRYPOINT ["/usr/local/bin/imagegate"]
