using ReLICv2.Nn;

namespace ReLICv2.Training;

/// <summary>
/// The online network of docs/method.md §6: encoder f (a ResNet returning the pooled representation), projector g and an
/// optional predictor q. Its children are named <c>encoder</c>, <c>projector</c>, <c>predictor</c>, which gives the
/// state-dict keys. <see cref="Forward"/> computes q(g(f(x))) (or g(f(x)) without a predictor).
/// </summary>
public sealed class SiameseNetwork : Module
{
    public SiameseNetwork(Module encoder, Module projector, Module? predictor = null)
    {
        Encoder = RegisterModule("encoder", encoder);
        Projector = RegisterModule("projector", projector);
        if (predictor is not null) Predictor = RegisterModule("predictor", predictor);
    }

    public Module Encoder { get; }

    public Module Projector { get; }

    public Module? Predictor { get; }

    /// <summary>g(f(x)): the projection, the target network's output.</summary>
    public Tensor Project(Tensor input)
    {
        using var h = Encoder.Forward(input);
        return Projector.Forward(h);
    }

    public override Tensor Forward(Tensor input)
    {
        if (Predictor is null) return Project(input);
        using var z = Project(input);
        return Predictor.Forward(z);
    }
}
