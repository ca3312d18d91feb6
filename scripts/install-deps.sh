#!/usr/bin/env bash
# Installs the Debian packages HEADS UP uses at run time and in tests, only when some are missing.
#   codecs:      libopenjp2-7 (JPEG 2000), libcharls2 (JPEG-LS), libgdcm-cil (GDCM, JPEG lossless/baseline/extended)
#   references:  dcmtk, dicom3tools, libgdcm-tools, python3-pydicom, python3-numpy (conformance tests, benchmarks),
#                python3-sklearn (metric references), python3-skimage (Felzenszwalb segmentation reference of XRAI),
#                python3-torch + python3-torchvision (network references, training benchmark)
#   fonts:       fonts-dejavu-core (text in plots and overlays)
#   service:     curl (demo), postgresql + rabbitmq-server (scale-out tests: throwaway instances on loopback; the
#                packages' own system services are not used), orthanc + orthanc-dicomweb (the DIMSE front door, its round-trip test)
#   pages:       chromium (the worklist's browser tests drive Debian's Chromium through Playwright), npm (axe-core for the
#                accessibility check, installed from the npm registry into tests/browser/node_modules; nodejs and npm from
#                Debian only when the machine has no npm of its own)
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libopenjp2-7 libcharls2 libgdcm-cil libgdcm-tools dcmtk dicom3tools python3-pydicom python3-numpy python3-sklearn python3-skimage python3-torch python3-torchvision fonts-dejavu-core
          curl postgresql rabbitmq-server orthanc orthanc-dicomweb chromium)
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
npm_step() {
  # axe-core for the browser tests' accessibility check (pinned by tests/browser/package-lock.json).
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    echo "installing npm packages for the browser tests (tests/browser)"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  npm_step
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq -o DPkg::Lock::Timeout=600
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
npm_step
