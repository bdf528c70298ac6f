#!/usr/bin/python3
"""Safetensors interop between ReLICv2.NET and Python/torch, both directions, without the `safetensors` package
(not packaged for Debian here): a small reader/writer written from the format specification
(8-byte little-endian header length, JSON header, raw little-endian row-major data) plus torch.frombuffer.

Run from the repository root after a Release build:
  dotnet fsi tests/fixtures-src/nn/write_safetensors.fsx /tmp/csharp_written.safetensors
  /usr/bin/python3 tests/fixtures-src/nn/safetensors_interop.py /tmp/csharp_written.safetensors

1. Reads the C#-written file, checks every tensor against its closed form exactly, and records the result in
   Fixtures/nn/python_read_csharp_safetensors.json (fails loudly otherwise).
2. Writes Fixtures/nn/python_written.safetensors (same closed forms; header keys in reverse order, data in forward order)
   for SafeTensorsTests to read in C#.
"""
import json
import os
import struct
import sys

import torch

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ReLICv2.Core.Tests", "Fixtures", "nn"))

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32,
          "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
CODES = {v: k for k, v in DTYPES.items()}


def wave(n, k):
    return (torch.arange(n, dtype=torch.float64) * 0.37 + k).sin()


def expected_tensors():
    return {
        "weights.f32": wave(12, 1.0).reshape(3, 4).to(torch.float32),
        "weights.f64": wave(5, 2.0),
        "counts.i64": torch.tensor([[-7, 999996], [2000005, 3000002]], dtype=torch.int64),
        "bytes.u8": torch.tensor([0, 37, 74, 111, 148, 185], dtype=torch.uint8),
        "flags.bool": torch.tensor([True, False, False, True]),
        "half.f16": torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16),
        "scalar.f32": torch.tensor(3.5, dtype=torch.float32),
        "empty.f32": torch.zeros(0, 2, dtype=torch.float32),
        "ints.i32": torch.tensor([-1, 0, 2147483647], dtype=torch.int32),
    }


def read(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    assert n % 8 == 0, "header not padded to 8 bytes"
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
    pos = 0
    for b, e, k in spans:
        assert b == pos, "tensor %s not contiguous" % k
        pos = e
    assert pos == len(body), "data length mismatch"
    out = {}
    for k, v in header.items():
        b, e = v["data_offsets"]
        dt = DTYPES[v["dtype"]]
        raw = bytearray(body[b:e])
        t = torch.frombuffer(raw, dtype=dt) if len(raw) else torch.empty(0, dtype=dt)
        out[k] = t.reshape(v["shape"])
    return out, meta


def write(path, tensors, meta):
    header = {"__metadata__": meta}
    blobs = []
    pos = 0
    for k, t in tensors.items():
        raw = t.contiguous().numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes()
        header[k] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + len(raw)]}
        pos += len(raw)
        blobs.append(raw)
    # Header keys in reverse order of the data, to exercise readers that sort by offsets.
    ordered = {"__metadata__": meta}
    for k in reversed(list(tensors)):
        ordered[k] = header[k]
    h = json.dumps(ordered, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/tmp/csharp_written.safetensors"
    got, meta = read(src)
    want = expected_tensors()
    assert set(got) == set(want), (sorted(got), sorted(want))
    report = {}
    for k, t in want.items():
        g = got[k]
        assert g.dtype == t.dtype and list(g.shape) == list(t.shape), (k, g.dtype, g.shape)
        assert torch.equal(g, t), k
        report[k] = {"dtype": CODES[g.dtype], "shape": list(g.shape), "equal": True}
    assert meta.get("writer") == "ReLICv2.NET", meta
    with open(os.path.join(OUT, "python_read_csharp_safetensors.json"), "w") as f:
        json.dump({"read_by": "torch %s, tests/fixtures-src/nn/safetensors_interop.py" % torch.__version__,
                   "metadata": meta, "tensors": report}, f, indent=1)
    write(os.path.join(OUT, "python_written.safetensors"), want, {"writer": "python"})
    print("C# file read and verified; python_written.safetensors written")


if __name__ == "__main__":
    main()
