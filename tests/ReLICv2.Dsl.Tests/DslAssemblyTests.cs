using Xunit;

namespace ReLICv2.Tests;

public class DslAssemblyTests
{
    [Fact]
    public void Dsl_assembly_references_core_and_not_the_other_way_round()
    {
        var dsl = typeof(ReLICv2.Dsl.DslInfo).Assembly;
        Assert.Contains(dsl.GetReferencedAssemblies(), a => a.Name == "ReLICv2.Core");
        Assert.DoesNotContain(typeof(Tensor).Assembly.GetReferencedAssemblies(), a => a.Name == "ReLICv2.Dsl");
    }
}
