using ReLICv2.Augmentation;
using ReLICv2.Data;
using ReLICv2.Experiments;
using ReLICv2.Vision;

namespace ReLICv2.Views;

/// <summary>
/// A picture of what a view set does: one row per source image — the source, then every large view, then every small
/// view (enlarged to the large size, nearest-neighbour, so their pixels stay visible) — with saliency-masked views framed
/// in red. <c>relic views</c> and every run's views.png are drawn with it.
/// </summary>
public static class ViewGrid
{
    /// <summary>The grid as one RGB float tensor [rows·columns, 3, S, S] (S = the large view size) in [0, 1], row-major.</summary>
    public static Tensor Compose(ViewSet views, Tensor images, ulong seed, Tensor? masks = null)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(images);
        using var scope = Torch.NewScope();
        var n = (int)images.Size(0);
        var size = views.LargeSize;
        var parameters = views.Sample(n, (int)images.Size(2), (int)images.Size(3), seed);
        using var made = views.Apply(images, parameters, masks);
        Tensor Rgb(Tensor t) => t.Size(1) == 1 ? t.Expand(-1, 3, -1, -1) : t;
        Tensor Resize(Tensor t, InterpolationMode mode) => t.Size(2) == size && t.Size(3) == size ? t : Torch.Interpolate(t, size, size, mode).Clamp(0, 1);
        var source = Resize(AugmentationChain.ToUnitFloat(images), InterpolationMode.Bilinear);
        var columns = new List<Tensor> { Rgb(source) };
        for (var v = 0; v < made.Large.Count; v++)
        {
            var view = Rgb(made.Large[v]).Clone();
            var flags = parameters.Large[v].Steps.OfType<SaliencyMaskParams>().FirstOrDefault()?.Applied;
            if (flags is not null) FrameMasked(view, flags);
            columns.Add(view);
        }
        columns.AddRange(made.Small.Select(s => Rgb(Resize(s, InterpolationMode.Nearest))));
        var grid = Torch.Stack(columns, 1).Reshape(n * columns.Count, 3, size, size);
        return scope.MoveOut(grid);
    }

    /// <summary>
    /// Writes the grid of the first <paramref name="count"/> images of <paramref name="data"/> as a PNG; a view set that
    /// masks takes its masks from <paramref name="masks"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The view set masks but no mask source is given.</exception>
    public static void Write(string path, ViewSet views, IImageDataset data, int count = 8, ulong seed = 0, MaskSourceSpec? masks = null)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(data);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "ViewGrid: count must be >= 1");
        if (views.NeedsMasks && masks is null)
            throw new ArgumentException($"ViewGrid: {views.Name} masks large views but no mask source was given (dataset, folder:PATH, boundary-contrast, spectral-residual)", nameof(masks));
        using var batch = data.GetBatch(Enumerable.Range(0, Math.Min(count, data.Count)).ToArray());
        using (var viewMasks = views.NeedsMasks ? masks!.Masks(batch) : null)
        using (var grid = Compose(views, batch.Images, seed, viewMasks))
            PngWriter.WriteTensor(path, grid, columns: 1 + views.LargeCount + views.SmallCount);
    }

    /// <summary>Paints a 1-pixel red frame on the views whose flag is set.</summary>
    private static void FrameMasked(Tensor views, IReadOnlyList<bool> flags)
    {
        using var scope = Torch.NewScope();
        var size = views.Size(2);
        var frame = Torch.Ones([size, size], DType.Bool);
        frame.Slice(0, 1, size - 1).Slice(1, 1, size - 1).Fill_(0);
        var red = Torch.FromArray(new float[] { 1, 0, 0 }, 1, 3, 1, 1);
        var selected = Torch.FromArray(flags.ToArray(), flags.Count, 1, 1, 1);
        var where = selected.LogicalAnd(frame.Reshape(1, 1, size, size));
        views.Copy_(Torch.Where(where, red.To(views.DType), views));
    }
}
