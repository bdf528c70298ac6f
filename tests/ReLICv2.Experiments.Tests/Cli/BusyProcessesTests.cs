using ReLICv2.Experiments;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>The busy processes of <c>relic bench step --contend</c> run until disposed, or until their limit, never longer.</summary>
public sealed class BusyProcessesTests
{
    [Fact]
    public void Disposing_ends_every_busy_process()
    {
        IReadOnlyList<int> ids;
        using (var busy = BusyProcesses.Start(2, TimeSpan.FromMinutes(5)))
        {
            ids = busy.Ids;
            Assert.Equal(2, ids.Count);
            Assert.Equal(2, busy.Running);
        }
        Assert.All(ids, id => Assert.False(Directory.Exists($"/proc/{id}"), $"busy process {id} is still there"));
    }

    [Fact]
    public void A_busy_process_ends_by_itself_at_its_limit()
    {
        using var busy = BusyProcesses.Start(1, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (busy.Running > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.Equal(0, busy.Running);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(257, 10)]
    [InlineData(1, 0)]
    public void Counts_and_limits_out_of_range_are_refused(int count, int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BusyProcesses.Start(count, TimeSpan.FromSeconds(seconds)));
}
