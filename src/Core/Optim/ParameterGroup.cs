namespace ReLICv2.Optim;

/// <summary>Parameters optimised with their own options (learning rate, weight decay, …), as a torch.optim param group.</summary>
/// <typeparam name="TOptions">The optimiser's options type.</typeparam>
public sealed record ParameterGroup<TOptions>(IReadOnlyList<Tensor> Parameters, TOptions Options) where TOptions : OptimizerOptions;
