// The F# front door of ReLICv2.NET inside the checkout: references the built assemblies and loads the helpers of
// src/FSharp/Prelude.fs (module Prelude: preset, set, run, table, quick, isQuick, ...) from source.
// Use it from a script with:   #load "prelude.fsx"   then   open Prelude
// (build first: scripts/bootstrap.sh, or dotnet build -c Release ReLICv2.sln). Outside the checkout, the same module
// comes from the packages: #r "nuget: ReLICv2.FSharp" (README, "Use it from your own project").
// The explicit module name keeps this file's own module apart from Prelude.
module ReLICv2Checkout
#r "../src/Core/bin/Release/net10.0/ReLICv2.Core.dll"
#r "../src/Dsl/bin/Release/net10.0/ReLICv2.Dsl.dll"
#r "../src/Runner/bin/Release/net10.0/ReLICv2.Runner.dll"
#load "../src/FSharp/Prelude.fs"
