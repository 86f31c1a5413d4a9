#!/usr/bin/env bash
# Installs the system libraries OrleansPathology needs on Debian 12 / Ubuntu, only where missing.
#   libopenslide0 + openslide-tools  slide reading (P/Invoke binding over libopenslide.so.0)
#   libturbojpeg0                    JPEG tile decoding (the fast reader) and encoding (synthetic slides)
#   gcc libc6-dev libjpeg-dev        building libopath_jpeg.so, the reader's partial-tile decoder (pathology/Slides/Native)
#   libvips-tools                    converting and inspecting pyramidal TIFFs by hand
#   postgresql-15                    the server the tests start (scripts/postgres.sh) for Orleans clustering and state
#   python3-numpy python3-torch      tests read .npy maps and masks in numpy and load exported weights in real PyTorch
#   python3-openslide python3-scipy python3-skimage   tests run the CAMELYON16 evaluation script's steps on mask TIFFs
set -euo pipefail

packages=(libopenslide0 openslide-tools libturbojpeg0 gcc libc6-dev libjpeg-dev libvips-tools postgresql-15 python3-numpy python3-torch python3-openslide python3-scipy python3-skimage)
# chromium: the dashboard test (tests/Operations/DashboardTests.cs) loads the silo's web page in headless chromium.
packages+=(chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
echo "setup: system packages present (${packages[*]})"
