#!/usr/bin/env bash
# Packs ReLICv2.NET into a local folder that your own projects and scripts use as a package source (README, "Use it from
# your own project"; docs/architecture.md §8): ReLICv2.Core (with the native shim under runtimes/linux-x64/native),
# ReLICv2.Dsl, ReLICv2.Runner, ReLICv2.FSharp (open Prelude), ReLICv2.Testing (FsCheck generators and laws,
# docs/testing.md) and ReLICv2.Templates (dotnet new relic-experiment).
#   scripts/pack.sh [--output DIR] [--version X.Y.Z[-suffix]] [--portable]
# --output   the folder (default artifacts/packages, gitignored); the template's default package folder is this one;
# --version  the package version (default: Version in Directory.Build.props);
# --portable packs a shim compiled for the portable instruction set (built once into src/Core/Native/build-portable), even
#            when this checkout was built with -p:RelicNativeArch=native; the default packs the shim `dotnet build` made
#            (portable unless RelicNativeArch=native was given; docs/benchmarks.md §8).
# Needs a built checkout's prerequisites (scripts/bootstrap.sh); builds what is out of date first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/artifacts/packages"
version=""
portable=0
while [ $# -gt 0 ]; do
  case "$1" in
    --output|-o) out="${2:?--output needs a folder}"; shift 2 ;;
    --version) version="${2:?--version needs a value, e.g. 0.2.0}"; shift 2 ;;
    --portable) portable=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "pack.sh: unknown option '$1' (allowed: --output DIR, --version X.Y.Z, --portable)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
start=$(date +%s)

common=(-c Release --nologo -v quiet -clp:ErrorsOnly)
if [ -n "$version" ]; then common+=("-p:Version=$version"); fi

echo "pack: building ReLICv2.FSharp, ReLICv2.Testing and what they reference (Release)"
dotnet build "$here/src/FSharp/ReLICv2.FSharp.fsproj" "${common[@]}"
dotnet build "$here/src/Testing/ReLICv2.Testing.csproj" "${common[@]}"

native=()
if [ "$portable" -eq 1 ]; then
  portable_dir="$here/src/Core/Native/build-portable"
  echo "pack: building a portable shim (-DRELIC_ARCH=portable) in $portable_dir"
  cmake -S "$here/src/Core/Native" -B "$portable_dir" -DCMAKE_BUILD_TYPE=Release -DRELIC_ARCH=portable >/dev/null
  cmake --build "$portable_dir" -j 2 >/dev/null
  native=("-p:NativeLib=$portable_dir/librelic_torch.so")
fi

echo "pack: ReLICv2.Core, ReLICv2.Dsl, ReLICv2.Runner, ReLICv2.FSharp, ReLICv2.Testing -> $out"
for project in src/Core/ReLICv2.Core.csproj src/Dsl/ReLICv2.Dsl.csproj src/Runner/ReLICv2.Runner.csproj src/FSharp/ReLICv2.FSharp.fsproj \
               src/Testing/ReLICv2.Testing.csproj; do
  dotnet pack "$here/$project" --no-build -o "$out" "${common[@]}" "${native[@]}"
done
echo "pack: ReLICv2.Templates (relic-experiment) -> $out"
dotnet pack "$here/templates/ReLICv2.Templates.csproj" -o "$out" "${common[@]}" "-p:RelicPackagesFolder=$out"

packed_version="${version:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$here/Directory.Build.props" | head -n 1)}"
echo "pack: done in $(( $(date +%s) - start )) s:"
for id in ReLICv2.Core ReLICv2.Dsl ReLICv2.Runner ReLICv2.FSharp ReLICv2.Testing ReLICv2.Templates; do
  file="$out/$id.$packed_version.nupkg"
  [ -f "$file" ] || { echo "pack.sh: $file was not written" >&2; exit 1; }
  echo "  $file"
done
cat <<NEXT
Use them (README, "Use it from your own project"):
  F# script:  #i "nuget: $out"  then  #r "nuget: ReLICv2.FSharp, $packed_version"
  tests:      <PackageReference Include="ReLICv2.Testing" Version="$packed_version" />  (docs/testing.md)
  template:   dotnet new install $out/ReLICv2.Templates.$packed_version.nupkg && dotnet new relic-experiment -n MyExperiment
NEXT
