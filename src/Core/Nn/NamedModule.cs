namespace ReLICv2.Nn;

/// <summary>A module with its dotted name in a module tree (the empty string for the root).</summary>
public sealed record NamedModule(string Name, Module Module);
