using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ReLICv2.Objectives;
using ReLICv2.Training;
using ReLICv2.Views;

namespace ReLICv2.Experiments;

/// <summary>
/// One experiment as an immutable value (the specification; the run directory holds the trained artefact): dataset,
/// encoder, heads, view set, objective with its pairing, target mode, EMA, optimiser and schedule, epochs and batch size,
/// seed, an optional time budget, the evaluation, and the method it is an instance of (<see cref="Method"/>, which names
/// the pre-trained encoders in results and reports). It prints, compares by value, round-trips through JSON, and
/// takes overrides by dotted path (<see cref="With(string, string)"/>, the CLI's <c>--set</c>). ReLICv2.Runner's
/// <c>ExperimentRuns.Run</c> runs it.
/// </summary>
public sealed record Experiment
{
    public Experiment(string name, DatasetSpec dataset, EncoderSpec encoder, HeadsSpec heads, ViewSet views, PairedObjective objective,
        TargetMode target, EmaSpec? ema, OptimizerSpec optimizer, int epochs, int batchSize, ulong seed = 0, EvaluationSpec? evaluation = null,
        double? timeBudgetMinutes = null, int shards = 1, string device = "cpu", string method = DefaultMethod)
    {
        Name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("Experiment.Name must not be empty", nameof(name)) : name;
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Heads = heads ?? throw new ArgumentNullException(nameof(heads));
        Views = views ?? throw new ArgumentNullException(nameof(views));
        if (views.NeedsMasks && dataset.Masks is null)
            throw new ArgumentException($"Experiment.Views: {views.Name} masks large views, but dataset.masks names no mask source (allowed: dataset, folder:PATH, boundary-contrast, spectral-residual)", nameof(views));
        Objective = objective ?? throw new ArgumentNullException(nameof(objective));
        Target = target;
        Ema = target == TargetMode.Ema ? ema ?? new EmaSpec()
            : ema is null ? null : throw new ArgumentException($"Experiment.Ema is only meaningful with target Ema, not {target}", nameof(ema));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Epochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Experiment.Epochs must be >= 1");
        BatchSize = batchSize >= 2 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Experiment.BatchSize must be >= 2 (contrastive losses need negatives)");
        Seed = seed;
        Evaluation = evaluation ?? new EvaluationSpec();
        if (Evaluation.EvaluateTarget && target != TargetMode.Ema)
            throw new ArgumentException($"Experiment.Evaluation.EvaluateTarget = true scores the EMA target's encoder, but the target mode is {target} (allowed: Ema; set evaluation.evaluateTarget=false before changing the target)", nameof(evaluation));
        TimeBudgetMinutes = timeBudgetMinutes is null or (> 0 and < double.PositiveInfinity) ? timeBudgetMinutes
            : throw new ArgumentOutOfRangeException(nameof(timeBudgetMinutes), timeBudgetMinutes, "Experiment.TimeBudgetMinutes must be finite and > 0 (or null: no budget)");
        Shards = shards is >= 1 and <= 64 ? shards
            : throw new ArgumentOutOfRangeException(nameof(shards), shards, "Experiment.Shards must be in [1, 64]");
        if (batchSize < 2 * shards)
            throw new ArgumentOutOfRangeException(nameof(shards), shards, $"Experiment.Shards: a batch of {batchSize} cannot be split into {shards} shards of at least 2 images");
        Device = System.Text.RegularExpressions.Regex.IsMatch(device ?? "", "^(cpu|cuda|cuda:[0-9]{1,3}|cuda:LOCAL_RANK)$") ? device!
            : throw new ArgumentException($"Experiment.Device '{device}' is not a device (allowed: cpu, cuda, cuda:N, cuda:LOCAL_RANK — one GPU per rank of a data-parallel run)", nameof(device));
        Method = System.Text.RegularExpressions.Regex.IsMatch(method ?? "", "^[a-z0-9][a-z0-9-]{0,39}$") ? method!
            : throw new ArgumentException($"Experiment.Method '{method}' is not a method identifier (allowed: 1 to 40 lower-case letters, digits and hyphens, e.g. {string.Join(", ", MethodPresets.Methods)})", nameof(method));
    }

    /// <summary>The method of an experiment that names none, and of experiment files written before methods were named: ReLICv2.</summary>
    public const string DefaultMethod = "relicv2";

    /// <summary>
    /// The method this experiment is an instance of, by its preset prefix (<c>relicv2</c>, <c>byol</c>, … — see
    /// <see cref="MethodPresets.Methods"/>) or an identifier of the user's own. It changes nothing in training; results,
    /// reports and the console name the pre-trained encoders after it (<see cref="MethodName"/>).
    /// </summary>
    public string Method { get; }

    /// <summary>The method's name as results show it: "BYOL" for <c>byol</c>, an unknown identifier as it is.</summary>
    public string MethodName => MethodPresets.Methods.Contains(Method) ? MethodPresets.DisplayName(Method) : Method;

    /// <summary>
    /// Where the networks, the views and the evaluation's forward passes run: <c>cpu</c> (the default), <c>cuda</c>,
    /// <c>cuda:N</c>, or <c>cuda:LOCAL_RANK</c> — the GPU of this rank's index on its machine, one GPU per rank
    /// (docs/distributed.md §7). A CUDA device needs a CUDA libtorch; on a CPU build the run refuses it before starting.
    /// </summary>
    public string Device { get; }

    /// <summary>The device of <see cref="Device"/> for the rank with local index <paramref name="localRank"/>.</summary>
    /// <exception cref="InvalidOperationException">A CUDA device on a libtorch without CUDA, or past the GPUs present.</exception>
    public ReLICv2.Device ResolveDevice(int localRank = 0)
    {
        if (Device == "cpu") return ReLICv2.Device.Cpu;
        if (!Torch.CudaIsAvailable)
            throw new InvalidOperationException($"Experiment.Device '{Device}' needs a CUDA libtorch, but this one has no CUDA (build the shim against a CUDA libtorch, see the README, or set device to cpu)");
        return Device == "cuda:LOCAL_RANK" ? ReLICv2.Device.Cuda(localRank) : ReLICv2.Device.Parse(Device);
    }

    public string Name { get; }
    public DatasetSpec Dataset { get; }
    public EncoderSpec Encoder { get; }
    public HeadsSpec Heads { get; }
    public ViewSet Views { get; }
    public PairedObjective Objective { get; }
    public TargetMode Target { get; }
    public EmaSpec? Ema { get; }
    public OptimizerSpec Optimizer { get; }
    public int Epochs { get; }
    public int BatchSize { get; }
    public ulong Seed { get; }
    public EvaluationSpec Evaluation { get; }

    /// <summary>
    /// Minutes of pre-training at most: the run measures its step time and plans no more steps than fit (the cosine
    /// schedule is planned for that number). Null plans every step of <see cref="Epochs"/> epochs.
    /// </summary>
    public double? TimeBudgetMinutes { get; }

    /// <summary>
    /// Data-parallel shards per batch, each on its own worker thread with one intra-op thread (see
    /// <see cref="PretrainingOptions.Shards"/>): batch norm statistics and sampled negatives are per shard, as per device in
    /// the paper. 1 runs the whole batch with every intra-op thread.
    /// </summary>
    public int Shards { get; }

    /// <summary>A copy with some parts replaced (F# cannot use C#'s <c>with</c>): every argument left out keeps its value.</summary>
    public Experiment With(string? name = null, DatasetSpec? dataset = null, EncoderSpec? encoder = null, HeadsSpec? heads = null, ViewSet? views = null,
        PairedObjective? objective = null, OptimizerSpec? optimizer = null, int? epochs = null, int? batchSize = null, ulong? seed = null,
        EvaluationSpec? evaluation = null, string? method = null) =>
        new(name ?? Name, dataset ?? Dataset, encoder ?? Encoder, heads ?? Heads, views ?? Views, objective ?? Objective, Target, Ema,
            optimizer ?? Optimizer, epochs ?? Epochs, batchSize ?? BatchSize, seed ?? Seed, evaluation ?? Evaluation, TimeBudgetMinutes, Shards, Device, method ?? Method);

    /// <summary>A copy with another target mode and EMA (null EMA with a non-EMA target).</summary>
    public Experiment WithTarget(TargetMode target, EmaSpec? ema = null) =>
        new(Name, Dataset, Encoder, Heads, Views, Objective, target, ema, Optimizer, Epochs, BatchSize, Seed, Evaluation, TimeBudgetMinutes, Shards, Device, Method);

    /// <summary>A copy with another time budget (null: run every planned step).</summary>
    public Experiment WithTimeBudget(double? minutes) =>
        new(Name, Dataset, Encoder, Heads, Views, Objective, Target, Ema, Optimizer, Epochs, BatchSize, Seed, Evaluation, minutes, Shards, Device, Method);

    // ---- presets -------------------------------------------------------------------------------------

    /// <summary>
    /// ReLICv2 on Fashion-MNIST at CPU scale: ResNet-18 with torchvision's stem (stride-2 7×7 + max-pool, faster at 28 px
    /// than the small-image stem) and base width 32, channels-last, heads 512/128, the [<paramref name="largeViews"/>,
    /// <paramref name="smallViews"/>] view set at 28/12 px (<see cref="ViewSet.ReLICv2FashionMnist"/>), ReLIC with τ = 0.2
    /// and every other batch element as a negative over every online view × large target view (the logits are computed
    /// for the whole batch either way), an EMA target whose γ rises from 0.9 to 1 on a cosine, LARS (base rate 4 per 256,
    /// wd 1e-5, warm-up 10 % of the run), batch 256, pre-training planned to fit <paramref name="minutes"/> minutes,
    /// foreground masks (for saliency masking and the robustness protocol's background shift) from the boundary-contrast
    /// estimator. What each choice was measured against: docs/results.md §2.
    /// </summary>
    public static Experiment FashionMnistReLICv2(double minutes = 15, int epochs = 20, int largeViews = 4, int smallViews = 2) => new(
        largeViews == 4 && smallViews == 2 ? "relicv2-fashion-mnist" : $"relicv2-fashion-mnist-{largeViews}x{smallViews}",
        new DatasetSpec(DatasetKind.FashionMnist, masks: MaskSourceSpec.BoundaryContrast),
        new EncoderSpec(18, baseWidth: 32, smallImageStem: false),
        new HeadsSpec(512, 128, 512),
        ViewSet.ReLICv2FashionMnist(largeViews, smallViews),
        Presets.ReLICv2(temperature: 0.2, negatives: Losses.Negatives.All),
        TargetMode.Ema, new EmaSpec(0.9),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 4.0, weightDecay: 1e-5, warmupEpochs: 0.1 * epochs),
        epochs, batchSize: 256, seed: 1,
        // The probe trains on plain + horizontally flipped images (at 28 px random resized crops cost the 30-epoch probe
        // accuracy), and the EMA target's encoder is scored beside the online one: docs/results.md §2.
        new EvaluationSpec(probeEpochs: 30, probeAugmentedCopies: 1, probeCropMinArea: 1.0, evaluateTarget: true),
        timeBudgetMinutes: minutes);

    /// <summary>
    /// The time-to-accuracy recipe (docs/results.md §1.3): <see cref="FashionMnistReLICv2"/> with [2, 2] views (two 28-pixel
    /// views and two 12-pixel crops, the main job's small views), no max-pool after the stem (the stages work at 14 × 14
    /// pixels instead of 7 × 7, so each step learns more at 2.4 times the cost, and the small views reach the stages at
    /// 6 × 6 instead of 3 × 3) and batch <paramref name="batchSize"/> (twice the steps of batch 256 in the same minutes, at
    /// the same images per second). ReLICv2's definition is unchanged: the same objective, target, optimiser (LARS, its rate
    /// scaled by batch ÷ 256) and evaluation.
    /// </summary>
    public static Experiment FashionMnistReLICv2Fast(double minutes = 15, int batchSize = 128)
    {
        var preset = FashionMnistReLICv2(minutes, largeViews: 2, smallViews: 2);
        return preset.With(name: "relicv2-fashion-mnist-fast", encoder: new EncoderSpec(18, baseWidth: 32, smallImageStem: false, stemMaxPool: false),
            batchSize: batchSize);
    }

    /// <summary>ReLICv2 on CIFAR-10: ResNet-18 (small stem, base width 32), [4, 2] views at 32/16 px, otherwise as the Fashion-MNIST preset.</summary>
    public static Experiment Cifar10ReLICv2(string? root = null, int epochs = 100) => new(
        "relicv2-cifar10",
        new DatasetSpec(DatasetKind.Cifar10, root, masks: MaskSourceSpec.BoundaryContrast),
        new EncoderSpec(18, baseWidth: 32, smallImageStem: true),
        new HeadsSpec(1024, 128, 1024),
        ViewSet.ReLICv2Cifar(),
        Presets.ReLICv2(temperature: 0.2),
        TargetMode.Ema, new EmaSpec(0.99),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 1.0, weightDecay: 1e-5, warmupEpochs: 10),
        epochs, batchSize: 256, seed: 1);

    /// <summary>ReLICv2 on an ImageNet-style folder at the paper's settings (ResNet-50, [4, 2] at 224/96, heads 4096/256, LARS 0.2 per 256).</summary>
    public static Experiment ImageFolderReLICv2(string root, int epochs = 100, int batchSize = 256) => new(
        "relicv2-imagefolder",
        new DatasetSpec(DatasetKind.ImageFolder, root, imageSize: 256, masks: MaskSourceSpec.BoundaryContrast),
        new EncoderSpec(50),
        new HeadsSpec(4096, 256, 4096),
        ViewSet.ReLICv2(),
        Presets.ReLICv2(),
        TargetMode.Ema, new EmaSpec(0.996),
        new OptimizerSpec(OptimizerKind.Lars, learningRate: 0.2, weightDecay: 1.5e-6, warmupEpochs: 10),
        epochs, batchSize, seed: 1);

    /// <summary>
    /// The presets by name (the CLI's <c>--preset</c>): the ReLICv2 presets, then every method of
    /// <see cref="MethodPresets"/> as <c>METHOD-fashion-mnist</c> and <c>METHOD-cifar10</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<Experiment>> Named { get; } = NamedPresets();

    private static Dictionary<string, Func<Experiment>> NamedPresets()
    {
        var named = new Dictionary<string, Func<Experiment>>
        {
            ["fashion-mnist"] = () => FashionMnistReLICv2(),
            ["fashion-mnist-2x0"] = () => FashionMnistReLICv2(largeViews: 2, smallViews: 0),
            ["fashion-mnist-4x0"] = () => FashionMnistReLICv2(largeViews: 4, smallViews: 0),
            ["fashion-mnist-fast"] = () => FashionMnistReLICv2Fast(),
            ["cifar10"] = () => Cifar10ReLICv2(),
            ["imagefolder"] = () => ImageFolderReLICv2("data/imagefolder"),
        };
        foreach (var method in MethodPresets.Methods)
        {
            named[$"{method}-fashion-mnist"] = () => MethodPresets.FashionMnist(method);
            named[$"{method}-cifar10"] = () => MethodPresets.Cifar10(method);
        }
        return named;
    }

    // ---- JSON ----------------------------------------------------------------------------------------

    private static readonly JsonSerializerOptions Plain = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>This experiment as JSON (the view set and objective in their own JSON forms).</summary>
    public string ToJson() => ToNode().ToJsonString(Plain);

    private JsonObject ToNode() => new()
    {
        ["name"] = Name,
        ["dataset"] = JsonSerializer.SerializeToNode(Dataset, Plain),
        ["encoder"] = JsonSerializer.SerializeToNode(Encoder, Plain),
        ["heads"] = JsonSerializer.SerializeToNode(Heads, Plain),
        ["views"] = JsonNode.Parse(Views.ToJson()),
        ["objective"] = JsonNode.Parse(ObjectiveJson.Serialize(Objective)),
        ["target"] = Target.ToString(),
        ["ema"] = Ema is null ? null : JsonSerializer.SerializeToNode(Ema, Plain),
        ["optimizer"] = JsonSerializer.SerializeToNode(Optimizer, Plain),
        ["epochs"] = Epochs,
        ["batchSize"] = BatchSize,
        ["seed"] = Seed,
        ["evaluation"] = JsonSerializer.SerializeToNode(Evaluation, Plain),
        ["timeBudgetMinutes"] = TimeBudgetMinutes,
        ["shards"] = Shards,
        ["device"] = Device,
        ["method"] = Method,
    };

    /// <summary>
    /// Reads an experiment written by <see cref="ToJson"/>, validating every part. Whatever is wrong — not JSON, a field
    /// named twice, missing, of the wrong type or out of range, a view step or objective node that does not parse — is a
    /// <see cref="JsonException"/> whose message names the field (the top-level one, and the path inside it where the part's
    /// reader gives one); the exception of the part is its inner exception.
    /// </summary>
    /// <exception cref="JsonException">The text is not a valid experiment.</exception>
    public static Experiment FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject node;
        try
        {
            using (var document = JsonDocument.Parse(json)) CheckDistinctNames(document.RootElement, "");
            node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("experiment JSON: the document is not an object");
        }
        catch (JsonException e) when (!e.Message.StartsWith("experiment JSON", StringComparison.Ordinal))
        {
            throw new JsonException($"experiment JSON: not valid JSON ({OneLine(e)})", e);
        }
        string[] required = ["name", "dataset", "encoder", "heads", "views", "objective", "target", "optimizer", "epochs", "batchSize", "seed", "evaluation"];
        var missing = required.Where(k => node[k] is null).ToList();
        if (missing.Count > 0) throw new JsonException($"experiment JSON: missing field(s) {string.Join(", ", missing)}");

        var field = "";
        T Read<T>(string key, Func<JsonNode, T> read)
        {
            field = key;
            return read(node[key] ?? throw new JsonException($"experiment JSON: field '{key}' is null"));
        }
        T? Optional<T>(string key, Func<JsonNode, T> read) => node[key] is null ? default : Read(key, read);
        T Part<T>(string key) where T : class => Read(key, n => n.Deserialize<T>(Plain) ?? throw new JsonException($"experiment JSON: field '{key}' is null"));
        TV Value<TV>(string key) => Read(key, n => n.GetValue<TV>());
        try
        {
            var name = Value<string>("name");
            var dataset = Part<DatasetSpec>("dataset");
            var encoder = Part<EncoderSpec>("encoder");
            var heads = Part<HeadsSpec>("heads");
            var views = Read("views", n => ViewSet.FromJson(n.ToJsonString()));
            var objective = Read("objective", n => ObjectiveJson.DeserializePaired(n.ToJsonString()));
            var targetName = Value<string>("target");
            var target = Enum.TryParse<TargetMode>(targetName, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t
                : throw new JsonException($"target '{targetName}' is not one of {string.Join(", ", Enum.GetNames<TargetMode>())}");
            var ema = node["ema"] is null ? null : Part<EmaSpec>("ema");
            var optimizer = Part<OptimizerSpec>("optimizer");
            var epochs = Value<int>("epochs");
            var batchSize = Value<int>("batchSize");
            var seed = Value<ulong>("seed");
            var evaluation = Part<EvaluationSpec>("evaluation");
            var budget = Optional("timeBudgetMinutes", n => (double?)n.GetValue<double>());
            var shards = Optional("shards", n => (int?)n.GetValue<int>()) ?? 1;
            var device = Optional("device", n => n.GetValue<string>()) ?? "cpu";
            var method = Optional("method", n => n.GetValue<string>()) ?? LegacyMethod(name);
            field = "";
            return new Experiment(name, dataset, encoder, heads, views, objective, target, ema, optimizer, epochs, batchSize, seed, evaluation,
                budget, shards, device, method);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException or OverflowException
                                  && !(e is JsonException own && own.Message.StartsWith("experiment JSON", StringComparison.Ordinal)))
        {
            // A part's reader names the path inside the part; the field it was read for is added here. Errors of the whole
            // (a value that does not fit another) name the constructor parameter, which is the JSON field's name.
            var where = field.Length > 0 ? field : (e as ArgumentException)?.ParamName;
            throw new JsonException($"experiment JSON{(where is null ? "" : $" field '{where}'")}: {OneLine(e)}", e);
        }
    }

    /// <summary>
    /// The method of an experiment file written before experiments named their method: the method whose preset prefix
    /// begins the experiment's name (<c>byol-fashion-mnist</c> was made by <c>MethodPresets.FashionMnist("byol")</c>; the
    /// longest prefix wins, so <c>relicv2-…</c> is ReLICv2, not ReLIC), otherwise <see cref="DefaultMethod"/>, the method
    /// every other experiment of that time ran.
    /// </summary>
    private static string LegacyMethod(string name) =>
        MethodPresets.Methods.Where(m => name.StartsWith(m + "-", StringComparison.Ordinal)).MaxBy(m => m.Length) ?? DefaultMethod;

    /// <summary>
    /// Reads the experiment file at <paramref name="path"/> (a run directory's <c>experiment.json</c>, a <c>--config</c> file):
    /// UTF-8 JSON as <see cref="FromJson"/> reads it.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not UTF-8 or not a valid experiment; the message names the file and the field.</exception>
    public static Experiment Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"experiment file '{path}' does not exist", path);
        string text;
        try
        {
            text = StrictUtf8.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"experiment file '{path}' is not valid UTF-8 (byte {e.Index})", e);
        }
        try
        {
            return FromJson(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"experiment file '{path}': {OneLine(e)}", e);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>JSON readers disagree on a repeated name (first wins, last wins, error): an experiment that repeats one is refused.</summary>
    private static void CheckDistinctNames(JsonElement element, string where)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray()) CheckDistinctNames(item, $"{where}[{i++}]");
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var name = where.Length == 0 ? p.Name : $"{where}.{p.Name}";
            if (!seen.Add(p.Name)) throw new JsonException($"experiment JSON: field '{name}' appears twice");
            CheckDistinctNames(p.Value, name);
        }
    }

    /// <summary>
    /// This experiment with one <c>path=value</c> assignment applied (<see cref="With(string, string)"/>), as the command
    /// line's and the scripts' <c>--set</c> give it: <c>WithAssignment("encoder.stemMaxPool=false")</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The assignment is not <c>path=value</c>, or the field refuses the value.</exception>
    public Experiment WithAssignment(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--set: '{assignment}' is not path=value (e.g. epochs=5)", nameof(assignment));
        return With(assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
    }

    /// <summary>
    /// This experiment with the field at dotted <paramref name="path"/> (JSON names: <c>epochs</c>, <c>optimizer.learningRate</c>,
    /// <c>dataset.trainLimit</c>, <c>views.largeViews.0.steps.0.outputSize</c> …) set to <paramref name="value"/>, given as JSON
    /// (a number, true/false, null, an object) or as a bare string. The result is validated like any experiment.
    /// </summary>
    public Experiment With(string path, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var root = ToNode();
        JsonNode current = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var key = parts[i];
            switch (current)
            {
                case JsonObject obj:
                    var name = obj.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                               ?? throw new ArgumentException($"--set {path}: '{key}' is not a field here; fields: {string.Join(", ", obj.Select(kv => kv.Key))}", nameof(path));
                    if (last) obj[name] = ParseValue(value);
                    else current = obj[name] ?? throw new ArgumentException($"--set {path}: '{name}' is null here", nameof(path));
                    break;
                case JsonArray arr when int.TryParse(key, out var index) && index >= 0 && index < arr.Count:
                    if (last) arr[index] = ParseValue(value);
                    else current = arr[index]!;
                    break;
                default:
                    throw new ArgumentException($"--set {path}: cannot go into '{key}' (not an object field or an index in range)", nameof(path));
            }
        }
        try
        {
            return FromJson(root.ToJsonString());
        }
        catch (JsonException e)
        {
            // The reason of the part (the value out of range) says it all on a command line; the JSON field is the --set path.
            throw new ArgumentException($"--set {path}={value}: {OneLine(e.InnerException is ArgumentException inner ? inner : e)}", nameof(value), e);
        }
    }

    /// <summary>
    /// An exception's message on one line for a command line: .NET's "(Parameter 'x')" and "Actual value was …" parts are
    /// folded into "(got …)".
    /// </summary>
    public static string OneLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.Message;
        if (e is ArgumentException { ParamName: { } name }) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        message = message.Split('\n')[0].Trim();
        return e is ArgumentOutOfRangeException { ActualValue: { } actual } ? $"{message} (got {actual})" : message;
    }

    private static JsonNode? ParseValue(string value)
    {
        try
        {
            return JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            return JsonValue.Create(value);
        }
    }

    public override string ToString() =>
        $"{Name}: {MethodName} · {Dataset.Kind} · ResNet-{Encoder.Depth} (base width {Encoder.BaseWidth}{(Encoder.SmallImageStem ? ", small stem" : "")}{Encoder.StemMaxPool switch { true => ", max-pool", false => ", no max-pool", null => "" }}) · " +
        $"{Views.Name} · {Target} target · {Optimizer.Kind} lr {Optimizer.LearningRate} · {Epochs} epochs × batch {BatchSize}" +
        (Shards > 1 ? $" in {Shards} shards" : "") + (Device != "cpu" ? $" on {Device}" : "") + (TimeBudgetMinutes is { } m ? $" (budget {m} min)" : "") + $"\n  objective: {Objective}";
}
