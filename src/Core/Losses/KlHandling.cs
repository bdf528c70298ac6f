namespace ReLICv2.Losses;

/// <summary>
/// How the ReLIC invariance term compares the two similarity distributions of an anchor (docs/method.md §2):
/// P^{a→t}_i (online anchor against target candidates) and P^{t→a}_i (target anchor against online candidates).
/// The choice is explicit, never an accident: the paper form is <see cref="Forward"/>.
/// </summary>
public enum KlHandling
{
    /// <summary>KL(P^{a→t} ‖ sg[P^{t→a}]): the ReLIC/ReLICv2 paper form (stop-gradient on the second argument).</summary>
    Forward = 0,

    /// <summary>KL(P^{t→a} ‖ sg[P^{a→t}]).</summary>
    Reverse = 1,

    /// <summary>½·KL(P^{a→t} ‖ sg[P^{t→a}]) + ½·KL(P^{t→a} ‖ sg[P^{a→t}]): each term stops the gradient of its own second argument.</summary>
    Symmetric = 2,

    /// <summary>KL(P^{a→t} ‖ P^{t→a}) with gradients through both arguments (ablation).</summary>
    NoStopGradient = 3,

    /// <summary>
    /// KL(P^{t→a} ‖ P^{a→t}) with gradients through both arguments: what the public re-implementation
    /// filipbasara0/relic computes (kl_div(log P^{a→t}, P^{t→a}, batchmean), nothing detached inside the KL).
    /// </summary>
    ReverseNoStopGradient = 4,
}
