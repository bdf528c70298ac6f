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

    /// <summary>Applies the layers in order (a batch norm directly followed by a ReLU as one fused operation); intermediate results are freed.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var children = Children();
        if (children.Count == 0) return input.Alias();
        Tensor? x = null;
        for (var i = 0; i < children.Count; i++)
        {
            var source = x ?? input;
            Tensor next;
            // A batch norm followed by a ReLU runs as one fused operation (BatchNorm.ForwardRelu, docs/architecture.md §3.6).
            if (children[i].Module is BatchNorm bn && i + 1 < children.Count && children[i + 1].Module is ReLU)
            {
                next = bn.ForwardRelu(source);
                i++;
            }
            else next = children[i].Module.Forward(source);
            x?.Dispose();
            x = next;
        }
        return x!;
    }
}
