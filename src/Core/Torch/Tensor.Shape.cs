namespace ReLICv2;

// Shape operations: views where libtorch makes views (reshape of contiguous data, transpose, narrow …).
public sealed partial class Tensor
{
    /// <summary>The same values with a new shape (-1 infers one dimension); a view when possible.</summary>
    public unsafe Tensor Reshape(params long[] newShape)
    {
        fixed (long* p = newShape) return Wrap(Native.rs_reshape(H, p, newShape.Length, out var r), r);
    }

    /// <summary>A view with a new shape; fails (naming both shapes) when the strides do not allow it.</summary>
    public unsafe Tensor View(params long[] newShape)
    {
        fixed (long* p = newShape) return Wrap(Native.rs_view(H, p, newShape.Length, out var r), r);
    }

    public unsafe Tensor Permute(params long[] order)
    {
        fixed (long* p = order) return Wrap(Native.rs_permute(H, p, order.Length, out var r), r);
    }

    public Tensor Transpose(long dim0, long dim1) => Wrap(Native.rs_transpose(H, dim0, dim1, out var r), r);

    /// <summary>The transpose of a matrix (dims 0 and 1 swapped; for rank ≥ 2 the last two).</summary>
    public Tensor T() => Rank <= 2 ? Transpose(0, Math.Max(Rank - 1, 0)) : Transpose(-2, -1);

    /// <summary>Elements <c>start … start+length-1</c> along <paramref name="dim"/> (a view).</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(Native.rs_narrow(H, dim, start, length, out var r), r);

    /// <summary>Elements <c>start, start+step, … &lt; end</c> along <paramref name="dim"/> (a view), as <c>x[start:end:step]</c>.</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(Native.rs_slice(H, dim, start, end, step, out var r), r);

    /// <summary>The sub-tensor at <paramref name="index"/> of <paramref name="dim"/>, which is removed (a view).</summary>
    public Tensor Select(long dim, long index) => Wrap(Native.rs_select(H, dim, index, out var r), r);

    public Tensor IndexSelect(long dim, Tensor index) => Wrap(Native.rs_index_select(H, dim, index.H, out var r), r);

    /// <summary>Advanced indexing <c>x[index]</c> along dim 0 with an integer or boolean tensor.</summary>
    public Tensor Index(Tensor index) => Wrap(Native.rs_index_tensor(H, index.H, out var r), r);

    public Tensor MaskedSelect(Tensor mask) => Wrap(Native.rs_masked_select(H, mask.H, out var r), r);

    public Tensor MaskedFill(Tensor mask, double value) => Wrap(Native.rs_masked_fill(H, mask.H, value, out var r), r);

    public Tensor Gather(long dim, Tensor index) => Wrap(Native.rs_gather(H, dim, index.H, out var r), r);

    public Tensor Scatter(long dim, Tensor index, Tensor source) => Wrap(Native.rs_scatter(H, dim, index.H, source.H, out var r), r);

    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Wrap(Native.rs_scatter_add(H, dim, index.H, source.H, out var r), r);

    /// <summary>A broadcast view with sizes <paramref name="sizes"/> (-1 keeps a size).</summary>
    public unsafe Tensor Expand(params long[] sizes)
    {
        fixed (long* p = sizes) return Wrap(Native.rs_expand(H, p, sizes.Length, out var r), r);
    }

    public Tensor ExpandAs(Tensor other) => Expand(other.Shape);

    public unsafe Tensor Repeat(params long[] repeats)
    {
        fixed (long* p = repeats) return Wrap(Native.rs_repeat(H, p, repeats.Length, out var r), r);
    }

    public unsafe Tensor Flip(params long[] dims)
    {
        fixed (long* p = dims) return Wrap(Native.rs_flip(H, p, dims.Length, out var r), r);
    }

    public unsafe Tensor Roll(long[] shifts, long[] dims)
    {
        fixed (long* s = shifts)
        fixed (long* d = dims)
            return Wrap(Native.rs_roll(H, s, shifts.Length, d, dims.Length, out var r), r);
    }

    public Tensor Roll(long shift, long dim) => Roll([shift], [dim]);

    /// <summary>Removes dimension <paramref name="dim"/> if it has size 1, or every size-1 dimension when null.</summary>
    public Tensor Squeeze(long? dim = null) =>
        dim is { } d ? Wrap(Native.rs_squeeze(H, d, out var r), r) : Wrap(Native.rs_squeeze_all(H, out var a), a);

    public Tensor Unsqueeze(long dim) => Wrap(Native.rs_unsqueeze(H, dim, out var r), r);

    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(Native.rs_flatten(H, startDim, endDim, out var r), r);

    public Tensor Tril(long diagonal = 0) => Wrap(Native.rs_tril(H, diagonal, out var r), r);

    public Tensor Triu(long diagonal = 0) => Wrap(Native.rs_triu(H, diagonal, out var r), r);

    public Tensor Diagonal(long offset = 0, long dim0 = 0, long dim1 = 1) => Wrap(Native.rs_diagonal(H, offset, dim0, dim1, out var r), r);

    /// <summary>Batched diagonal matrices from the last dimension.</summary>
    public Tensor DiagEmbed() => Wrap(Native.rs_diag_embed(H, out var r), r);

    /// <summary>Consecutive pieces of size <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller); views.</summary>
    public Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Split: size must be > 0");
        var n = Size((int)dim);
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += size) parts.Add(Narrow(dim, start, Math.Min(size, n - start)));
        return [.. parts];
    }

    /// <summary><paramref name="chunks"/> pieces of (nearly) equal size along <paramref name="dim"/>; views.</summary>
    public Tensor[] Chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "Chunk: chunks must be > 0");
        return Split((Size((int)dim) + chunks - 1) / chunks, dim);
    }
}
