using FsCheck;
using FsCheck.Fluent;
using ReLICv2.Distributed;
using Xunit;

namespace ReLICv2.Tests;

/// <summary>DistributedEnvironment.FromEnvironment: torchrun and SLURM variables, defaults, host lists and one-line errors.</summary>
public class DistributedEnvironmentVariablesTests
{
    /// <summary>"K=V;K=V" as a variable dictionary (';' because SLURM host lists hold commas).</summary>
    private static Dictionary<string, string?> Vars(string spec) =>
        spec.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

    /// <summary>A valid (world size, rank, local world size, local rank, port) of up to 64 ranks.</summary>
    private static readonly Arbitrary<(int World, int Rank, int LocalWorld, int LocalRank, int Port)> Layouts =
        (from world in Gen.Choose(1, 64)
         from rank in Gen.Choose(0, world - 1)
         from localWorld in Gen.Choose(1, world)
         from localRank in Gen.Choose(0, localWorld - 1)
         from port in Gen.Choose(1, 65535)
         select (world, rank, localWorld, localRank, port)).ToArbitrary();

    [Theory]
    [InlineData("")]
    [InlineData("MASTER_ADDR=node01;MASTER_PORT=1234;LOCAL_RANK=0")]
    [InlineData("SLURM_PROCID=0;SLURM_JOB_NODELIST=node01")]
    [InlineData("SLURM_NTASKS=4")]
    [InlineData("WORLD_SIZE=;RANK= ")]
    public void Without_a_launcher_it_is_a_single_process(string spec)
    {
        Assert.Null(DistributedEnvironment.FromEnvironment(Vars(spec)));
    }

    [Fact]
    public void Torchrun_variables_are_read()
    {
        var env = DistributedEnvironment.FromEnvironment(Vars("MASTER_ADDR=10.1.2.3;MASTER_PORT=29512;WORLD_SIZE=8;RANK=5;LOCAL_RANK=1;LOCAL_WORLD_SIZE=4"));
        Assert.Equal(new DistributedEnvironment("10.1.2.3", 29512, 8, 5, 1, 4), env);
        Assert.False(env!.IsMaster);
    }

    [Fact]
    public void One_rank_needs_no_address_or_port()
    {
        var env = DistributedEnvironment.FromEnvironment(Vars("WORLD_SIZE=1;RANK=0"))!;
        Assert.Equal((DistributedEnvironment.LoopbackAddress, DistributedEnvironment.DefaultMasterPort), (env.MasterAddress, env.MasterPort));
        Assert.Equal((1, 0, 0, 1), (env.WorldSize, env.Rank, env.LocalRank, env.LocalWorldSize));
        Assert.True(env.IsMaster);
        Assert.Equal(29500, DistributedEnvironment.DefaultMasterPort);
    }

    [Fact]
    public void Missing_local_variables_and_port_take_their_defaults()
    {
        var env = DistributedEnvironment.FromEnvironment(Vars("MASTER_ADDR=h;WORLD_SIZE=4;RANK=3"))!;
        Assert.Equal((29500, 4, 3), (env.MasterPort, env.LocalWorldSize, env.LocalRank));
        env = DistributedEnvironment.FromEnvironment(Vars("MASTER_ADDR=h;WORLD_SIZE=4;RANK=3;LOCAL_WORLD_SIZE=2"))!;
        Assert.Equal((2, 1), (env.LocalWorldSize, env.LocalRank));
    }

    [Fact]
    public void Any_valid_layout_round_trips_through_the_torchrun_variables()
    {
        Prop.ForAll(Layouts, l =>
        {
            var env = new DistributedEnvironment("node07", l.Port, l.World, l.Rank, l.LocalRank, l.LocalWorld);
            var vars = env.ToVariables().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
            return DistributedEnvironment.FromEnvironment(vars) == env;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Fact]
    public void Any_valid_layout_round_trips_through_the_slurm_variables()
    {
        Prop.ForAll(Layouts, l =>
        {
            var vars = Vars($"SLURM_PROCID={l.Rank};SLURM_NTASKS={l.World};SLURM_LOCALID={l.LocalRank};SLURM_NTASKS_PER_NODE={l.LocalWorld};" +
                            $"SLURM_JOB_NODELIST=gpu[07-09],cpu1;MASTER_PORT={l.Port}");
            return DistributedEnvironment.FromEnvironment(vars) == new DistributedEnvironment("gpu07", l.Port, l.World, l.Rank, l.LocalRank, l.LocalWorld);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Theory]
    [InlineData("node01", "node01")]
    [InlineData("a,b", "a")]
    [InlineData("node[01-04]", "node01")]
    [InlineData("node[01,03-05],gpu1", "node01")]
    [InlineData("n[7]", "n7")]
    [InlineData("rack[2-3]-n[5,7]", "rack2-n5")]
    [InlineData("node[10-12]-ib", "node10-ib")]
    public void Slurm_master_is_the_first_host_of_the_node_list(string nodes, string master)
    {
        var env = DistributedEnvironment.FromEnvironment(Vars($"SLURM_PROCID=1;SLURM_NTASKS=4;SLURM_JOB_NODELIST={nodes}"))!;
        Assert.Equal(master, env.MasterAddress);
        Assert.Equal((4, 1, 29500), (env.WorldSize, env.Rank, env.MasterPort));
    }

    [Fact]
    public void Slurm_master_address_prefers_MASTER_ADDR_then_the_job_node_list_then_the_node_list()
    {
        Assert.Equal("m", DistributedEnvironment.FromEnvironment(Vars("SLURM_PROCID=0;SLURM_NTASKS=2;MASTER_ADDR=m;SLURM_JOB_NODELIST=j1;SLURM_NODELIST=n1"))!.MasterAddress);
        Assert.Equal("j1", DistributedEnvironment.FromEnvironment(Vars("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_JOB_NODELIST=j1;SLURM_NODELIST=n1"))!.MasterAddress);
        Assert.Equal("n1", DistributedEnvironment.FromEnvironment(Vars("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=n[1-2]"))!.MasterAddress);
        Assert.Equal("127.0.0.1", DistributedEnvironment.FromEnvironment(Vars("SLURM_PROCID=0;SLURM_NTASKS=1"))!.MasterAddress);
    }

    [Theory]
    [InlineData("SLURM_TASKS_PER_NODE=4(x2),3", 4)]
    [InlineData("SLURM_TASKS_PER_NODE=4(x2),3;SLURM_NODEID=1", 4)]
    [InlineData("SLURM_TASKS_PER_NODE=4(x2),3;SLURM_NODEID=2", 3)]
    [InlineData("SLURM_TASKS_PER_NODE=2", 2)]
    [InlineData("SLURM_TASKS_PER_NODE=4(x2),3;SLURM_NTASKS_PER_NODE=2", 2)]
    public void Slurm_local_world_size_comes_from_the_tasks_per_node(string spec, int localWorld)
    {
        var env = DistributedEnvironment.FromEnvironment(Vars($"SLURM_PROCID=9;SLURM_NTASKS=11;SLURM_LOCALID=1;SLURM_NODELIST=n1;{spec}"))!;
        Assert.Equal((localWorld, 1, 9, 11), (env.LocalWorldSize, env.LocalRank, env.Rank, env.WorldSize));
    }

    [Fact]
    public void Torchrun_variables_win_over_slurm()
    {
        var env = DistributedEnvironment.FromEnvironment(Vars("SLURM_PROCID=3;SLURM_NTASKS=4;SLURM_NODELIST=n1;WORLD_SIZE=2;RANK=1;MASTER_ADDR=127.0.0.1"))!;
        Assert.Equal((2, 1, "127.0.0.1"), (env.WorldSize, env.Rank, env.MasterAddress));
    }

    [Theory]
    [InlineData("WORLD_SIZE=four;RANK=0", "WORLD_SIZE='four' is not an integer; it must be in [1, 2147483647]")]
    [InlineData("WORLD_SIZE=0;RANK=0", "WORLD_SIZE=0 is out of range; it must be in [1, 2147483647]")]
    [InlineData("WORLD_SIZE=4;RANK=4;MASTER_ADDR=h", "RANK=4 is out of range; it must be in [0, 4) (WORLD_SIZE=4)")]
    [InlineData("WORLD_SIZE=4;RANK=-1;MASTER_ADDR=h", "RANK=-1 is out of range; it must be in [0, 4) (WORLD_SIZE=4)")]
    [InlineData("WORLD_SIZE=4;RANK=1.5;MASTER_ADDR=h", "RANK='1.5' is not an integer; it must be in [0, 4) (WORLD_SIZE=4)")]
    [InlineData("WORLD_SIZE=4", "RANK is not set but WORLD_SIZE=4 is; a launcher sets both (RANK in [0, 4))")]
    [InlineData("RANK=1", "WORLD_SIZE is not set but RANK=1 is; a launcher sets both")]
    [InlineData("WORLD_SIZE=4;RANK=1", "MASTER_ADDR is not set; it is required when WORLD_SIZE=4 > 1")]
    [InlineData("WORLD_SIZE=2;RANK=0;MASTER_ADDR=h;MASTER_PORT=70000", "MASTER_PORT=70000 is out of range; it must be in [1, 65535]")]
    [InlineData("WORLD_SIZE=2;RANK=0;MASTER_ADDR=h;MASTER_PORT=http", "MASTER_PORT='http' is not an integer; it must be in [1, 65535]")]
    [InlineData("WORLD_SIZE=4;RANK=0;MASTER_ADDR=h;LOCAL_WORLD_SIZE=5", "LOCAL_WORLD_SIZE=5 is out of range; it must be in [1, 4] (WORLD_SIZE=4)")]
    [InlineData("WORLD_SIZE=4;RANK=0;MASTER_ADDR=h;LOCAL_WORLD_SIZE=2;LOCAL_RANK=2", "LOCAL_RANK=2 is out of range; it must be in [0, 2) (LOCAL_WORLD_SIZE=2)")]
    [InlineData("WORLD_SIZE=4;RANK=0;MASTER_ADDR=h;LOCAL_RANK=4", "LOCAL_RANK=4 is out of range; it must be in [0, 4) (WORLD_SIZE=4, LOCAL_WORLD_SIZE not set)")]
    [InlineData("SLURM_PROCID=4;SLURM_NTASKS=4;SLURM_NODELIST=n1", "SLURM_PROCID=4 is out of range; it must be in [0, 4) (SLURM_NTASKS=4)")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=x", "SLURM_NTASKS='x' is not an integer; it must be in [1, 2147483647]")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=2", "MASTER_ADDR is not set and neither is SLURM_JOB_NODELIST or SLURM_NODELIST; one is required when SLURM_NTASKS=2 > 1")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_JOB_NODELIST=node[01-", "SLURM_JOB_NODELIST='node[01-' is not a host list; allowed forms: node01, a,b, node[01-04], node[01,03-05]")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=node[a-b]", "SLURM_NODELIST='node[a-b]' is not a host list")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=,n1", "SLURM_NODELIST=',n1' is not a host list")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=8;SLURM_NODELIST=n1;SLURM_TASKS_PER_NODE=4(x2", "SLURM_TASKS_PER_NODE='4(x2' is not a tasks-per-node list; allowed forms: 4, 4(x2), 4(x2),3")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=11;SLURM_NODELIST=n1;SLURM_TASKS_PER_NODE=4(x2),3;SLURM_NODEID=3", "SLURM_NODEID=3 is out of range; it must be in [0, 3)")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=2;SLURM_NODELIST=n1;SLURM_NTASKS_PER_NODE=4", "SLURM_NTASKS_PER_NODE=4 is out of range; it must be in [1, 2] (SLURM_NTASKS=2)")]
    [InlineData("SLURM_PROCID=0;SLURM_NTASKS=4;SLURM_NODELIST=n1;SLURM_NTASKS_PER_NODE=2;SLURM_LOCALID=2", "SLURM_LOCALID=2 is out of range; it must be in [0, 2) (SLURM_NTASKS_PER_NODE=2)")]
    public void Malformed_variables_are_named_with_their_value_and_allowed_range(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => DistributedEnvironment.FromEnvironment(Vars(spec)));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Without_a_dictionary_the_process_environment_is_read()
    {
        string[] names = ["MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"];
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            var expected = new DistributedEnvironment("process-env-test", 29517, 3, 2, 0, 1);
            foreach (var (name, value) in expected.ToVariables()) Environment.SetEnvironmentVariable(name, value);
            Assert.Equal(expected, DistributedEnvironment.FromEnvironment());
            Environment.SetEnvironmentVariable("RANK", "3");
            Assert.Contains("RANK=3 is out of range", Assert.Throws<ArgumentException>(() => DistributedEnvironment.FromEnvironment()).Message);
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
