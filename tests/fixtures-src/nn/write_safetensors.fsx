// Writes a safetensors file with ReLICv2.NET's writer, for safetensors_interop.py to read back with Python/torch.
// Usage (from the repository root, after a Release build):
//   dotnet fsi tests/fixtures-src/nn/write_safetensors.fsx /tmp/csharp_written.safetensors
// The tensors are the closed forms listed in safetensors_interop.py (expected_tensors).
#r "../../../src/Core/bin/Release/net10.0/ReLICv2.Core.dll"

open ReLICv2
open ReLICv2.Nn
open ReLICv2.Training

let path = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "/tmp/csharp_written.safetensors"

let wave n k = Torch.Arange(0.0, float n, 1.0, DType.Float64).Mul(0.37).Add(k).Sin()

let tensors =
    [ "weights.f32", wave 12L 1.0 |> fun t -> t.Reshape(3L, 4L).To(DType.Float32)
      "weights.f64", wave 5L 2.0
      "counts.i64", Torch.FromArray([| -7L; 999996L; 2000005L; 3000002L |], 2L, 2L)
      "bytes.u8", Torch.FromArray([| 0uy; 37uy; 74uy; 111uy; 148uy; 185uy |])
      "flags.bool", Torch.FromArray([| true; false; false; true |])
      "half.f16", Torch.FromArray([| 0.5; -1.25; 3.0 |]).To(DType.Float16)
      "scalar.f32", Torch.Scalar(3.5)
      "empty.f32", Torch.Zeros(0L, 2L)
      "ints.i32", Torch.FromArray([| -1; 0; 2147483647 |]) ]
    |> List.map (fun (n, t) -> NamedTensor(n, t))

SafeTensors.Write(path, tensors, readOnlyDict [ ("writer", "ReLICv2.NET") ])
printfn "wrote %s (%d bytes)" path (System.IO.FileInfo(path).Length)
