namespace ReLICv2.Nn;

/// <summary>
/// Applies its children in order, as torch.nn.Sequential; children are named "0", "1", … so the state-dict keys match
/// PyTorch's (<c>0.weight</c>, <c>1.running_mean</c>, …).
/// </summary>
public class Sequential : Module
{
    /// <summary>A sequence of the given modules (adopted: they are disposed with this one).</summary>
    public Sequential(params Module[] modules) : this((IReadOnlyList<Module>)modules)
    {
    }

    /// <summary>A sequence of the given modules (adopted: they are disposed with this one).</summary>
    public Sequential(IReadOnlyList<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Append(m);
    }

    /// <summary>Number of layers.</summary>
    public int Count => Children().Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => Children()[index].Module;

    /// <summary>Adds <paramref name="module"/> as the next layer (named by its position).</summary>
    protected void Append(Module module) => RegisterModule(Children().Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>Applies the layers in order; intermediate results are freed.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var children = Children();
        if (children.Count == 0) return input.Alias();
        var x = children[0].Module.Forward(input);
        for (var i = 1; i < children.Count; i++)
        {
            var next = children[i].Module.Forward(x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}
