namespace ReLICv2.Nn;

/// <summary>A tensor with its dotted name in a module tree, e.g. <c>layer1.0.conv1.weight</c> (PyTorch state-dict key).</summary>
public sealed record NamedTensor(string Name, Tensor Tensor);
