#!/usr/bin/env bash
# One-step set-up for ReLICv2.NET on Debian: installs the system packages the project needs when they are missing,
# then builds the solution (which builds the libtorch shim through CMake). Idempotent: a second run installs
# nothing and rebuilds nothing that is up to date.
#   scripts/bootstrap.sh [--configuration Release|Debug] [--no-build] [--with-browser] [--with-python-torch]
# --with-browser also installs Debian's chromium, which the report tests drive headless; --with-python-torch installs
# Debian's python3-torch and python3-torchvision: the torch.distributed interoperability test uses the first (skipped
# without it), `relic bench step --pytorch` and `relic bench augment` use both for their same-run references.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration=Release
build=1
browser=0
python_torch=0
while [ $# -gt 0 ]; do
  case "$1" in
    --configuration|-c) configuration="${2:?--configuration needs a value (Release or Debug)}"; shift 2 ;;
    --no-build) build=0; shift ;;
    --with-browser) browser=1; shift ;;
    --with-python-torch) python_torch=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bootstrap.sh: unknown option '$1' (allowed: --configuration Release|Debug, --no-build, --with-browser, --with-python-torch)" >&2; exit 2 ;;
  esac
done

# libopenblas0-pthread: Debian's libtorch calls the system BLAS (libblas.so.3); without OpenBLAS that is the
# reference BLAS, much slower on matrix products (docs/results.md §5).
# libgloo-dev: the headers that compiling c10d's Gloo process group needs (data-parallel training, docs/distributed.md).
packages=(libtorch-dev libgloo-dev cmake g++ libturbojpeg0-dev libspng-dev dataset-fashion-mnist libopenblas0-pthread)
if [ "$browser" -eq 1 ]; then packages+=(chromium); fi
if [ "$python_torch" -eq 1 ]; then packages+=(python3-torch python3-torchvision); fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    echo "bootstrap: these Debian packages are missing: ${missing[*]}" >&2
    echo "bootstrap: installing them needs root; run as root, give this user sudo, or run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "bootstrap: system packages present (${packages[*]})"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "bootstrap: the .NET SDK (dotnet, version 10) is not on PATH; install it and run again" >&2
  exit 1
fi

if [ "$build" -eq 1 ]; then
  echo "bootstrap: building ReLICv2.sln ($configuration)"
  dotnet build "$here/ReLICv2.sln" -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
fi
echo "bootstrap: ready"
