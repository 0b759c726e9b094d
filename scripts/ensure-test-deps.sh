#!/usr/bin/env bash
# Installs the Debian packages the test suite uses as independent oracles, when missing:
# scikit-learn (metric values), onnx (onnx.checker for the models we write), pandas, pytest
# (JUnit fixtures), scipy (drift statistics), and the real servers the end-to-end tests start on
# loopback: prometheus, docker-registry, skopeo, umoci, wrk, nginx; stress-ng loads the cores. Needs root for apt-get; otherwise says what to install.
set -euo pipefail
packages=(python3-sklearn python3-onnx python3-pandas python3-pytest python3-scipy prometheus docker-registry skopeo umoci wrk nginx stress-ng cmark-gfm)
need=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "the tests need these Debian packages: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
/usr/bin/python3 -c 'import sklearn, onnx' || { echo "/usr/bin/python3 cannot import sklearn and onnx" >&2; exit 1; }
