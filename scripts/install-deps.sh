#!/usr/bin/env bash
# Installs every Debian package Tierscope needs to build, run and test — only the
# ones that are missing, with one `apt-get update` at most. Safe to run again.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # Qt 6 widgets + charts (Charts needs the OpenGL dev package) and the offscreen/xcb plugins
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-qpa-plugins libqt6svg6 fonts-dejavu-core
  # engine libraries
  libgoogle-perftools-dev libspdlog-dev libfmt-dev zlib1g-dev libzstd-dev libxxhash-dev libssl-dev libcurl4-openssl-dev nlohmann-json3-dev
  # inference: libtorch (TorchScript), OpenCV (decode, preprocess), the training data
  libtorch-dev libopencv-dev opencv-data dataset-fashion-mnist
  # tests and benchmarks (Java + Caffeine: the peer benchmark, tests/bench/peer)
  libgtest-dev libbenchmark-dev openjdk-17-jdk-headless libcaffeine-java
  # the HTTP server (Boost.Beast), its metrics check (promtool), load (wrk) and fuzzing
  libboost-dev prometheus wrk clang libfuzzer-14-dev
  # the shared Redis tier (hiredis client; redis-server and redis-cli for its tests)
  libhiredis-dev redis-server redis-tools
  # packaging validation
  desktop-file-utils appstream
)

missing=()
for pkg in "${packages[@]}"; do
  # `dpkg-query` reports "install ok installed" only for fully installed packages.
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
