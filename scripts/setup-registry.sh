#!/usr/bin/env bash
# Installs what the OCI tests use from Debian's packages: the CNCF distribution registry (docker-registry), skopeo as an
# independent registry client, and htpasswd (apache2-utils) for the authenticated registry. The tests start and stop
# the registry themselves (test/helpers/registry.ts) with their own config and storage under a temp dir.
# Idempotent; a second run only checks.
set -euo pipefail
need=()
command -v docker-registry >/dev/null || [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v htpasswd >/dev/null || need+=(apache2-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-registry: installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian package enables a registry service on :5000; the tests run their own, so stop the packaged one if it runs.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi
