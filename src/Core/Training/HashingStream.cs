using System.Security.Cryptography;

namespace ReLICv2.Training;

/// <summary>
/// A write-only stream that passes every byte on to another stream (left open) and keeps their count and SHA-256, so that a
/// file's fingerprint is known when it has been written without reading it back.
/// </summary>
internal sealed class HashingStream(Stream inner) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => written;

    public override long Position
    {
        get => written;
        set => throw new NotSupportedException("HashingStream: cannot seek");
    }

    /// <summary>The SHA-256 of the bytes written so far, lower-case hex.</summary>
    public string Sha256() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        hash.AppendData(buffer);
        written += buffer.Length;
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("HashingStream: write-only");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("HashingStream: cannot seek");
    public override void SetLength(long value) => throw new NotSupportedException("HashingStream: cannot set the length");

    protected override void Dispose(bool disposing)
    {
        if (disposing) hash.Dispose();
        base.Dispose(disposing);
    }
}
