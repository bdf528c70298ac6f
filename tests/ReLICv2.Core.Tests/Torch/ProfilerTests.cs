using Xunit;

namespace ReLICv2.Tests;

/// <summary>libtorch's profiler through the shim: operators and named ranges with nested times, on the recording thread only.</summary>
public class ProfilerTests
{
    [Fact]
    public void Operators_run_inside_a_named_range_are_recorded_inside_it()
    {
        using var a = Torch.Ones([8, 8]);
        Profiler.Start();
        IReadOnlyList<ProfiledRange> ranges;
        try
        {
            Assert.True(Profiler.IsRecording);
            using (Profiler.Range("relic::test"))
                a.Mm(a).Dispose();
        }
        finally
        {
            ranges = Profiler.Stop();
        }
        Assert.False(Profiler.IsRecording);
        var outer = Assert.Single(ranges, r => r.Name == "relic::test");
        var mm = Assert.Single(ranges, r => r.Name == "aten::mm");
        Assert.True(outer.StartMicroseconds <= mm.StartMicroseconds && mm.EndMicroseconds <= outer.EndMicroseconds,
            $"aten::mm [{mm.StartMicroseconds}, {mm.EndMicroseconds}] outside relic::test [{outer.StartMicroseconds}, {outer.EndMicroseconds}]");
        Assert.Equal(outer.Thread, mm.Thread);
    }

    [Fact]
    public void A_range_opened_while_not_recording_calls_nothing_and_nothing_is_recorded_after_stop()
    {
        using var a = Torch.Ones([4]);
        using (Profiler.Range("relic::not-recorded"))
            a.Add(a).Dispose();
        Profiler.Start();
        var ranges = Profiler.Stop();
        Assert.DoesNotContain(ranges, r => r.Name == "relic::not-recorded");
        Assert.DoesNotContain(ranges, r => r.Name == "aten::add");
    }

    [Fact]
    public void Stop_without_start_and_a_second_start_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Profiler.Stop());
        Profiler.Start();
        try
        {
            Assert.Throws<InvalidOperationException>(Profiler.Start);
        }
        finally
        {
            Profiler.Stop();
        }
    }

    [Fact]
    public void The_shims_text_is_read_field_by_field()
    {
        var ranges = Profiler.Parse("7\taten::mm\t10.5\t20.25\n7\trelic::loss\t1\t30\n");
        Assert.Equal([new ProfiledRange(7, "aten::mm", 10.5, 20.25), new ProfiledRange(7, "relic::loss", 1, 30)], ranges);
        Assert.Equal(9.75, ranges[0].DurationMicroseconds);
        Assert.Throws<FormatException>(() => Profiler.Parse("7\taten::mm\t10\n"));
    }
}
