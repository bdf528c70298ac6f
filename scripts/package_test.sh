#!/usr/bin/env bash
# The packages as a user gets them (docs/architecture.md §8; README, "Use it from your own project"). Packs
# (scripts/pack.sh), then, in a fresh temporary folder outside the repository:
#  1. installs the relic-experiment template into a private template hive (--debug:custom-hive), creates a project from
#     it against a copy of the package folder, builds it and runs a tiny experiment (--quick: 4 steps on synthetic
#     shapes, linear probe and k-NN beside a random encoder);
#  2. runs the README's "From F#" example as a script that references the packages with #r "nuget: ReLICv2.FSharp" —
#     with the package folder added by #i and its run made quick (run experiment → run (quick 256 experiment));
#  3. runs the README's property test (docs/testing.md) as a script that references ReLICv2.Testing — a law from the
#     package checked over generated chains — plus a broken law whose failure must name a seed to replay;
#  4. checks that every ReLICv2 package was restored from that folder, never from a remote source.
# Each step restores into its own empty NuGet global-packages folder, so no copy of the same version cached earlier is
# used; FSharp.Core comes from the SDK's own folder or the configured sources, FsCheck from this machine's NuGet cache
# (copied into the folder) when it is there, else from the configured sources. The temporary folder is removed at the end.
#   scripts/package_test.sh [--no-pack]    (--no-pack: test artifacts/packages as it is)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pack=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-pack) pack=0; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "package_test.sh: unknown option '$1' (allowed: --no-pack)" >&2; exit 2 ;;
  esac
done
start=$(date +%s)
packages="$here/artifacts/packages"
if [ "$pack" -eq 1 ]; then "$here/scripts/pack.sh" --output "$packages"; fi
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$here/Directory.Build.props" | head -n 1)"

base="${TMPDIR:-/tmp}"
case "$(cd "$base" && pwd)/" in "$here"/*) base=/tmp ;; esac   # never inside the repository (its Directory.*.props)
tmp="$(mktemp -d "$base/relic-package-test.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
feed="$tmp/feed"
mkdir -p "$feed" "$tmp/tmp" "$tmp/hive"
for id in ReLICv2.Core ReLICv2.Dsl ReLICv2.Runner ReLICv2.FSharp ReLICv2.Testing ReLICv2.Templates; do
  nupkg="$packages/$id.$version.nupkg"
  [ -f "$nupkg" ] || { echo "package_test.sh: $nupkg is missing (run scripts/pack.sh)" >&2; exit 1; }
  cp "$nupkg" "$feed/"
done
fscheck_version="$(sed -n 's:.*<PackageVersion Include="FsCheck" Version="\(.*\)" />.*:\1:p' "$here/Directory.Packages.props")"
fscheck_nupkg="${NUGET_PACKAGES:-$HOME/.nuget/packages}/fscheck/$fscheck_version/fscheck.$fscheck_version.nupkg"
if [ -f "$fscheck_nupkg" ]; then cp "$fscheck_nupkg" "$feed/"; fi
export TMPDIR="$tmp/tmp"          # dotnet fsi's restore scratch and the script's run directory
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

fail() { echo "package_test.sh: $*" >&2; exit 1; }

# Every ReLICv2 package in a global-packages folder (default: those of ReLICv2.FSharp) came from the local folder.
check_sources() {
  local cache="$1" id meta ids
  shift
  ids=("$@")
  [ ${#ids[@]} -gt 0 ] || ids=(relicv2.core relicv2.dsl relicv2.fsharp)
  for id in "${ids[@]}"; do
    meta="$cache/$id/$version/.nupkg.metadata"
    [ -f "$meta" ] || fail "$id $version was not restored into $cache"
    grep -qF "\"source\": \"$feed" "$meta" || fail "$id $version was restored from elsewhere than $feed: $(grep '"source"' "$meta")"
  done
}

echo "== package test: template relic-experiment"
t0=$(date +%s)
export NUGET_PACKAGES="$tmp/nuget-template"
dotnet new install "$feed/ReLICv2.Templates.$version.nupkg" --debug:custom-hive "$tmp/hive" >/dev/null
dotnet new relic-experiment -n PackageCheck -o "$tmp/PackageCheck" --packages "$feed" --debug:custom-hive "$tmp/hive" >/dev/null
grep -q "ReLICv2.FSharp\" Version=\"$version\"" "$tmp/PackageCheck/PackageCheck.fsproj" || fail "the template's project does not reference ReLICv2.FSharp $version"
(cd "$tmp/PackageCheck" && dotnet build -c Release --disable-build-servers --nologo -v quiet -clp:ErrorsOnly >/dev/null)
(cd "$tmp/PackageCheck" && dotnet run -c Release --no-build -- --quick) | tee "$tmp/template.log"
for row in "ReLICv2 pre-trained +linear probe" "ReLICv2 pre-trained +k-NN" "random init +linear probe"; do
  grep -qE "^$row +[0-9.]+ %" "$tmp/template.log" || fail "the template's run printed no '$row' row"
done
ls "$tmp/PackageCheck/runs/"*/results.json >/dev/null 2>&1 || fail "the template's run wrote no results.json"
check_sources "$NUGET_PACKAGES"
echo "-- template: ok in $(( $(date +%s) - t0 )) s"

echo "== package test: the README's F# example with #r \"nuget: ReLICv2.FSharp\""
t0=$(date +%s)
export NUGET_PACKAGES="$tmp/nuget-script"
mkdir -p "$tmp/script"
example="$tmp/script/readme_example.fsx"
# The first ```fsharp block after the "## From F#" heading.
awk '/^## From F#/ { s = 1 } s && /^```fsharp/ { b = 1; next } b && /^```/ { exit } b { print }' "$here/README.md" > "$tmp/readme_block.fsx"
grep -qx '#r "nuget: ReLICv2.FSharp".*' "$tmp/readme_block.fsx" || fail "README's F# example does not start from #r \"nuget: ReLICv2.FSharp\""
grep -qx 'let result = run experiment' "$tmp/readme_block.fsx" || fail "README's F# example has no line 'let result = run experiment' to make quick"
{ echo "#i \"nuget: $feed\""; sed 's/^let result = run experiment$/let result = run (quick 256 experiment)/' "$tmp/readme_block.fsx"; } > "$example"
(cd "$tmp/script" && dotnet fsi "$example") | tee "$tmp/script.log"
grep -qE "^ReLICv2 pre-trained +linear probe +[0-9.]+ %" "$tmp/script.log" || fail "the README's example printed no probe row"
check_sources "$NUGET_PACKAGES"
echo "-- README example: ok in $(( $(date +%s) - t0 )) s"

echo "== package test: the README's property test with #r \"nuget: ReLICv2.Testing\""
t0=$(date +%s)
export NUGET_PACKAGES="$tmp/nuget-testing"
mkdir -p "$tmp/testing"
laws="$tmp/testing/readme_laws.fsx"
# The first ```fsharp block after the "## Property tests" heading, then a broken law that must fail with a replay line.
awk '/^## Property tests/ { s = 1 } s && /^```fsharp/ { b = 1; next } b && /^```/ { exit } b { print }' "$here/README.md" > "$tmp/laws_block.fsx"
grep -qx '#r "nuget: ReLICv2.Testing".*' "$tmp/laws_block.fsx" || fail "README's property test does not start from #r \"nuget: ReLICv2.Testing\""
{
  echo "#i \"nuget: $feed\""
  cat "$tmp/laws_block.fsx"
  cat <<'BROKEN'
printfn "README laws: held"
try
    Law.Check("chains are short", AugmentationArbitraries.Chains(), (fun c -> if c.Steps.Count < 3 then null else "too long"), LawConfig.Default.WithMaxTest(200))
    failwith "a broken law passed"
with :? LawFailedException as e -> printfn "broken law: %s" e.Message
BROKEN
} > "$laws"
(cd "$tmp/testing" && dotnet fsi "$laws") | tee "$tmp/testing.log"
grep -qx "README laws: held" "$tmp/testing.log" || fail "the README's property test did not finish"
grep -qF "replay the failing case: LawConfig.Default.WithReplay(" "$tmp/testing.log" || fail "the broken law's failure named no case to replay"
check_sources "$NUGET_PACKAGES" relicv2.core relicv2.dsl relicv2.testing
echo "-- README property test: ok in $(( $(date +%s) - t0 )) s"

echo "package test: ok in $(( $(date +%s) - start )) s (packages $version from $packages)"
