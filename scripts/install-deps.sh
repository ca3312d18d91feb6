#!/usr/bin/env bash
# Installs the Debian packages HEADS UP uses at run time and in tests, only when some are missing.
#   codecs:      libopenjp2-7 (JPEG 2000), libcharls2 (JPEG-LS), libgdcm-cil (GDCM, JPEG lossless/baseline/extended)
#   references:  dcmtk, dicom3tools, libgdcm-tools, python3-pydicom, python3-numpy (conformance tests, benchmarks),
#                python3-sklearn (metric references), python3-torch + python3-torchvision (network references, training benchmark)
#   fonts:       fonts-dejavu-core (text in plots and overlays)
#   service:     curl (demo), postgresql + rabbitmq-server (scale-out tests: throwaway instances on loopback; the
#                packages' own system services are not used), orthanc + orthanc-dicomweb (the DIMSE front door, its round-trip test)
set -euo pipefail
packages=(libopenjp2-7 libcharls2 libgdcm-cil libgdcm-tools dcmtk dicom3tools python3-pydicom python3-numpy python3-sklearn python3-torch python3-torchvision fonts-dejavu-core
          curl postgresql rabbitmq-server orthanc orthanc-dicomweb)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
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
