using System.Text.Json.Serialization;
using ReLICv2.Data;
using ReLICv2.Vision;

namespace ReLICv2.Experiments;

/// <summary>
/// The mask source an experiment names (its dataset's <c>masks</c> field): where the foreground masks of the view set's
/// saliency masking (docs/method.md §1.3) and of the robustness protocol's background shift (docs/method.md §7.1) come
/// from. Written in JSON as one string: <c>dataset</c> (the masks the dataset ships), <c>folder:PATH</c> (PNG masks in a
/// folder mirroring an ImageFolder's tree: <c>PATH/train/…</c> and <c>PATH/val/…</c> beside <c>ROOT/train/…</c> and
/// <c>ROOT/val/…</c>), <c>boundary-contrast</c> or <c>spectral-residual</c> (the built-in unsupervised estimators, computed
/// per batch from the pixels).
/// </summary>
[JsonConverter(typeof(MaskSourceSpecJsonConverter))]
public sealed record MaskSourceSpec
{
    private const string FolderPrefix = "folder:";

    /// <param name="kind">The source.</param>
    /// <param name="root">The mask folder, for <see cref="MaskSourceKind.Folder"/> only.</param>
    public MaskSourceSpec(MaskSourceKind kind, string? root = null)
    {
        Kind = Enum.IsDefined(kind) ? kind
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"MaskSourceSpec.Kind must be one of {string.Join(", ", Enum.GetNames<MaskSourceKind>())}");
        if (kind == MaskSourceKind.Folder && string.IsNullOrWhiteSpace(root))
            throw new ArgumentException("MaskSourceSpec.Root: a folder mask source needs the mask folder (folder:PATH)", nameof(root));
        if (kind != MaskSourceKind.Folder && root is not null)
            throw new ArgumentException($"MaskSourceSpec.Root '{root}' is only meaningful for a folder mask source, not {kind}", nameof(root));
        Root = root;
    }

    /// <summary>The masks the dataset ships.</summary>
    public static MaskSourceSpec Dataset { get; } = new(MaskSourceKind.Dataset);

    /// <summary>The boundary-contrast estimator.</summary>
    public static MaskSourceSpec BoundaryContrast { get; } = new(MaskSourceKind.BoundaryContrast);

    /// <summary>The spectral-residual estimator.</summary>
    public static MaskSourceSpec SpectralResidual { get; } = new(MaskSourceKind.SpectralResidual);

    /// <summary>PNG masks in <paramref name="root"/>, mirroring an image folder's tree.</summary>
    public static MaskSourceSpec Folder(string root) => new(MaskSourceKind.Folder, root);

    /// <summary>Which source: the dataset's own masks, a mask folder, or one of the two estimators.</summary>
    public MaskSourceKind Kind { get; }

    /// <summary>The mask folder of a folder source, otherwise null.</summary>
    public string? Root { get; }

    /// <summary>True when the masks travel with the images (dataset or folder masks, in <see cref="Batch.Masks"/>).</summary>
    public bool FromData => Kind is MaskSourceKind.Dataset or MaskSourceKind.Folder;

    /// <summary>
    /// The masks [N, 1, H, W] of <paramref name="batch"/>: the batch's own (dataset and folder sources) or the estimator's.
    /// </summary>
    /// <exception cref="InvalidOperationException">A dataset or folder source, but the batch carries no masks.</exception>
    public Tensor Masks(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Kind switch
        {
            MaskSourceKind.BoundaryContrast => new BoundaryContrastSaliencyEstimator().Masks(batch),
            MaskSourceKind.SpectralResidual => new SpectralResidualSaliencyEstimator().Masks(batch),
            _ => batch.Masks?.Clone() ?? throw new InvalidOperationException(
                $"mask source '{this}': the batch carries no masks (the dataset has none); name an estimator (boundary-contrast, spectral-residual) instead"),
        };
    }

    /// <summary>Reads the JSON form: <c>dataset</c>, <c>folder:PATH</c>, <c>boundary-contrast</c> or <c>spectral-residual</c>.</summary>
    /// <exception cref="ArgumentException">Anything else; the message lists the allowed values.</exception>
    public static MaskSourceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.StartsWith(FolderPrefix, StringComparison.OrdinalIgnoreCase)) return Folder(t[FolderPrefix.Length..]);
        return t.ToLowerInvariant() switch
        {
            "dataset" => Dataset,
            "boundary-contrast" => BoundaryContrast,
            "spectral-residual" => SpectralResidual,
            _ => throw new ArgumentException(
                $"mask source '{text}' is unknown (allowed: dataset, folder:PATH, boundary-contrast, spectral-residual)", nameof(text)),
        };
    }

    /// <summary>The JSON form (see <see cref="Parse"/>).</summary>
    public override string ToString() => Kind switch
    {
        MaskSourceKind.Dataset => "dataset",
        MaskSourceKind.Folder => FolderPrefix + Root,
        MaskSourceKind.BoundaryContrast => "boundary-contrast",
        _ => "spectral-residual",
    };
}
