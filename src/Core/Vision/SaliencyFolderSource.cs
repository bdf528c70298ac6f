using ReLICv2.Data;

namespace ReLICv2.Vision;

/// <summary>
/// Precomputed saliency masks stored as PNG files in a folder that mirrors an <see cref="ImageFolderDataset"/>:
/// the mask of <c>root/cat/a.jpg</c> is <c>maskRoot/cat/a.png</c> (grey, 0 = background, 255 = foreground; colour
/// masks are read as luminance). Masks are scaled and centre-cropped exactly as their images are. A missing or
/// unreadable mask raises an error naming both files.
/// </summary>
public sealed class SaliencyFolderSource : ISaliencySource
{
    /// <param name="dataset">The images whose masks are read.</param>
    /// <param name="maskRoot">The folder mirroring the dataset's root.</param>
    public SaliencyFolderSource(ImageFolderDataset dataset, string maskRoot)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(maskRoot);
        if (!Directory.Exists(maskRoot))
            throw new DirectoryNotFoundException($"maskRoot '{maskRoot}' does not exist; it must mirror the image folder '{dataset.Root}' with one .png mask per image");
        Dataset = dataset;
        MaskRoot = Path.GetFullPath(maskRoot);
    }

    public ImageFolderDataset Dataset { get; }

    /// <summary>The full path of the mask folder.</summary>
    public string MaskRoot { get; }

    /// <summary>The mask file of dataset image <paramref name="index"/>.</summary>
    public string MaskPath(int index) => Path.ChangeExtension(Path.Combine(MaskRoot, Dataset.RelativePath(index)), ".png");

    public Tensor Mask(int index, Tensor image) => Torch.FromArray(Read(index), 1, Dataset.Height, Dataset.Width);

    public Tensor Masks(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var plane = Dataset.Height * Dataset.Width;
        var values = new float[batch.Count * plane];
        for (var k = 0; k < batch.Count; k++) Read(batch.Indices[k]).CopyTo(values.AsSpan(k * plane, plane));
        return Torch.FromArray(values, batch.Count, 1, Dataset.Height, Dataset.Width);
    }

    private float[] Read(int index)
    {
        var path = MaskPath(index);
        if (!File.Exists(path))
            throw new FileNotFoundException($"saliency mask '{path}' for image '{Dataset.Paths[index]}' not found", path);
        var bytes = ImageFit.CoverAndCrop(ImageDecoder.Decode(path, ImageColorMode.Gray), Dataset.Height, Dataset.Width);
        var result = new float[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) result[i] = bytes[i] / 255f;
        return result;
    }
}
