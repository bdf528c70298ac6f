using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using ReLICv2.Vision;

namespace ReLICv2.Data;

/// <summary>
/// Images in class sub-folders (<c>root/&lt;class&gt;/**/*.jpg|jpeg|png</c>), the layout of ImageNet and of
/// torchvision's ImageFolder: classes are the sub-folder names in ordinal order, files are ordered by path.
/// Images are decoded (libjpeg-turbo / libspng) lazily per batch or eagerly at construction, and brought to one size
/// (scaled to cover it, then centre-cropped). Unreadable files either raise <see cref="ImageDecodeException"/> naming
/// the file or, with <c>skipCorrupt</c>, are left out of their batch and counted in <see cref="SkippedFiles"/>.
/// With a <c>maskRoot</c> the dataset has masks: the PNG mask of <c>root/cat/a.jpg</c> is <c>maskRoot/cat/a.png</c> (grey,
/// 0 = background, 255 = foreground), brought to the dataset's size exactly as its image is, so that masks travel with
/// their images through the loader and every crop and flip.
/// </summary>
public sealed class ImageFolderDataset : ImageDatasetBase
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];
    private readonly string[] paths;
    private readonly int[] labels;
    private readonly byte[]? cache;
    private readonly ConcurrentDictionary<string, bool> skipped = new();

    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <param name="height">Output height; with <paramref name="width"/> null, both come from the first readable image
    /// and every image must have that size.</param>
    /// <param name="width">Output width (give both or neither).</param>
    /// <param name="color">Rgb (3 channels) or Gray (1 channel).</param>
    /// <param name="eager">Decode every image at construction (memory: Count·C·H·W bytes) instead of per batch.</param>
    /// <param name="skipCorrupt">Skip and count unreadable files instead of raising.</param>
    /// <param name="decodeThreads">Images decoded at once, per batch and during eager loading, in [1, 64];
    /// default: the number of processors.</param>
    /// <param name="progress">Receives the number of images decoded so far during eager loading.</param>
    /// <param name="maskRoot">A folder mirroring <paramref name="root"/> with one PNG foreground mask per image, or null.</param>
    public ImageFolderDataset(string root, int? height = null, int? width = null, ImageColorMode color = ImageColorMode.Rgb,
        bool eager = false, bool skipCorrupt = false, int? decodeThreads = null, IProgress<int>? progress = null, string? maskRoot = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"ImageFolder root '{root}' does not exist; it must hold one sub-folder of JPEG/PNG images per class");
        if (height is { } hh && hh <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be > 0");
        if (width is { } ww && ww <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be > 0");
        if (height.HasValue != width.HasValue)
            throw new ArgumentException($"height ({height?.ToString() ?? "null"}) and width ({width?.ToString() ?? "null"}) must both be given or both be null", nameof(width));
        if (color is not (ImageColorMode.Rgb or ImageColorMode.Gray))
            throw new ArgumentOutOfRangeException(nameof(color), color, "color must be Rgb or Gray");
        if (decodeThreads is { } dt && dt is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(decodeThreads), decodeThreads, "decodeThreads must be in [1, 64]");
        if (maskRoot is not null && !Directory.Exists(maskRoot))
            throw new DirectoryNotFoundException($"maskRoot '{maskRoot}' does not exist; it must mirror the image folder '{root}' with one .png mask per image");
        DecodeThreads = decodeThreads ?? Environment.ProcessorCount;
        Root = Path.GetFullPath(root);
        MaskRoot = maskRoot is null ? null : Path.GetFullPath(maskRoot);
        Color = color;
        SkipCorrupt = skipCorrupt;
        var classes = Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var files = new List<string>();
        var fileLabels = new List<int>();
        for (var c = 0; c < classes.Length; c++)
        {
            var inClass = Directory.EnumerateFiles(Path.Combine(Root, classes[c]), "*", SearchOption.AllDirectories)
                .Where(p => Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                .Order(StringComparer.Ordinal);
            foreach (var p in inClass)
            {
                files.Add(p);
                fileLabels.Add(c);
            }
        }
        if (files.Count == 0)
            throw new InvalidDataException($"ImageFolder root '{Root}' holds no .jpg/.jpeg/.png files in class sub-folders (found {classes.Length} sub-folders)");
        paths = [.. files];
        labels = [.. fileLabels];
        ClassNames = classes;
        Channels = color == ImageColorMode.Gray ? 1 : 3;

        if (height is { } h0 && width is { } w0)
        {
            Height = h0;
            Width = w0;
            FixedSize = true;
        }
        else
        {
            var first = FirstReadable();
            Height = first.Height;
            Width = first.Width;
        }
        if (eager)
        {
            var total = (long)paths.Length * ImageBytes;
            if (total > Array.MaxLength)
                throw new ArgumentException($"eager: {paths.Length} images of {Channels}x{Height}x{Width} need {total} bytes, more than one array holds; use eager: false", nameof(eager));
            var buffer = new byte[total];
            var done = 0;
            try
            {
                Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = DecodeThreads }, i =>
                {
                    Decode(i, buffer.AsSpan(i * ImageBytes, ImageBytes));
                    var d = Interlocked.Increment(ref done);
                    if (progress is not null && (d % 64 == 0 || d == paths.Length)) progress.Report(d);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            cache = buffer;
        }
    }

    /// <summary>The full path of the root folder.</summary>
    public string Root { get; }

    /// <summary>The full path of the mask folder, or null without masks.</summary>
    public string? MaskRoot { get; }

    /// <summary>True with a mask folder.</summary>
    public override bool HasMasks => MaskRoot is not null;

    /// <summary>The mask file of image <paramref name="index"/> (null without a mask folder).</summary>
    public string? MaskPath(int index) => MaskRoot is null ? null : Path.ChangeExtension(Path.Combine(MaskRoot, RelativePath(index)), ".png");

    /// <summary>The image files, indexed like the dataset.</summary>
    public IReadOnlyList<string> Paths => paths;

    /// <summary>Rgb or Gray.</summary>
    public ImageColorMode Color { get; }

    /// <summary>Images decoded at once.</summary>
    public int DecodeThreads { get; }

    protected override int DecodeParallelism => cache is null ? DecodeThreads : 1;

    /// <summary>Whether unreadable files are skipped (and counted) instead of raising.</summary>
    public bool SkipCorrupt { get; }

    /// <summary>Whether images are resized to a requested size (otherwise all must share the first image's size).</summary>
    public bool FixedSize { get; }

    /// <summary>Files found unreadable so far (at construction when eager, otherwise as batches are read).</summary>
    public override IReadOnlyList<string> SkippedFiles => [.. skipped.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Number of files found unreadable so far.</summary>
    public int SkippedCount => skipped.Count;

    public override int Count => paths.Length;
    public override int Channels { get; }
    public override int Height { get; }
    public override int Width { get; }
    public override IReadOnlyList<string> ClassNames { get; }

    public override int Label(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    /// <summary>The path of image <paramref name="index"/> relative to <see cref="Root"/>.</summary>
    public string RelativePath(int index)
    {
        CheckIndex(index);
        return Path.GetRelativePath(Root, paths[index]);
    }

    protected override bool TryCopyPixels(int index, Span<byte> destination)
    {
        if (cache is not null)
        {
            if (skipped.ContainsKey(paths[index])) return false;
            cache.AsSpan(index * ImageBytes, ImageBytes).CopyTo(destination);
            return true;
        }
        return Decode(index, destination);
    }

    protected override void CopyMask(int index, Span<float> destination)
    {
        var path = MaskPath(index) ?? throw new InvalidOperationException($"ImageFolderDataset '{Root}' has no mask folder");
        if (!File.Exists(path))
            throw new FileNotFoundException($"mask '{path}' of image '{paths[index]}' not found; the mask folder must mirror the image folder", path);
        DecodedImage mask;
        try
        {
            mask = ImageDecoder.Decode(path, ImageColorMode.Gray);
        }
        catch (ImageDecodeException e)
        {
            throw new InvalidDataException($"mask '{path}' of image '{paths[index]}' is unreadable: {e.Message}", e);
        }
        if (!FixedSize && (mask.Height != Height || mask.Width != Width))
            throw new InvalidDataException($"mask '{path}' is {mask.Width}x{mask.Height} but its image is {Width}x{Height}; pass height and width to resize both");
        var bytes = ImageFit.CoverAndCrop(mask, Height, Width);
        for (var i = 0; i < bytes.Length; i++) destination[i] = bytes[i] / 255f;
    }

    private bool Decode(int index, Span<byte> destination)
    {
        var path = paths[index];
        try
        {
            var image = ImageDecoder.Decode(path, Color);
            if (!FixedSize && (image.Height != Height || image.Width != Width))
                throw new ImageDecodeException(path,
                    $"the image is {image.Width}x{image.Height} but the dataset's size is {Width}x{Height} (from the first image); pass height and width to resize");
            ImageFit.CoverAndCrop(image, Height, Width).CopyTo(destination);
            return true;
        }
        catch (ImageDecodeException) when (SkipCorrupt)
        {
            skipped.TryAdd(path, true);
            return false;
        }
    }

    private DecodedImage FirstReadable()
    {
        foreach (var path in paths)
        {
            try
            {
                return ImageDecoder.Decode(path, Color);
            }
            catch (ImageDecodeException) when (SkipCorrupt)
            {
                skipped.TryAdd(path, true);
            }
        }
        throw new InvalidDataException($"ImageFolder root '{Root}': none of the {paths.Length} image files could be decoded");
    }
}
