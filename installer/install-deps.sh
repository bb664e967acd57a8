#!/usr/bin/env bash
# Installs the Debian 12 packages embedscope needs to build, run and test.
# Idempotent: runs `apt-get update` once and installs only what is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build git pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  libvtk9-dev libtorch-dev libeigen3-dev libhdf5-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev libboost-dev
  libpng-dev libtiff-dev zlib1g-dev
  dataset-fashion-mnist
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core
)
# The test suite's one-machine Slurm (issue 6: sweeps are tested against a real scheduler);
# `--with-tests` installs it. Kept out of the app's set-up: on a desktop these packages bring
# scheduler daemons a user of the app does not need.
TEST_PACKAGES=(slurm-wlm munge)
# Optional extras for test references; `--with-references` installs them.
REFERENCE_PACKAGES=(hdf5-tools python3-numpy python3-h5py)

for arg in "$@"; do
  case "$arg" in
    --with-tests) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
    --with-references) PACKAGES+=("${REFERENCE_PACKAGES[@]}") ;;
    *) echo "installer: unknown option $arg (use --with-tests, --with-references)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "installer: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "installer: need root (or password-less sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "installer: apt-get not found; this script targets Debian 12 (bookworm)" >&2
  exit 1
fi

echo "installer: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "installer: done"
