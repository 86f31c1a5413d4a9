using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using static OrleansPathology.Tests.Workers.WorkerClusterFixture;

namespace OrleansPathology.Tests.Workers;

/// <summary>Device workers run on the silo their key names, whichever silo places them; other keys fail clearly.</summary>
[Collection(WorkerClusterCollection.Name)]
public sealed class WorkerPlacementTests(WorkerClusterFixture fixture)
{
    [Theory]
    [InlineData(NodeA)]
    [InlineData(NodeB)]
    public async Task EachSilo_StartsItsAnnouncedWorker_OnItself(string node)
    {
        var worker = fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>($"{node}/cpu:0");

        // Started by the silo's lifecycle: active before anyone called it.
        Assert.Equal(fixture.AddressOf(node), fixture.HostOf(worker));
        var status = await worker.GetStatusAsync();
        Assert.Equal(($"{node}/cpu:0", node, "cpu:0"), (status.Worker, status.Silo, status.Device));
    }

    [Theory]
    [InlineData(NodeA, NodeB)]
    [InlineData(NodeB, NodeA)]
    public async Task AWorkerPlacedByAnotherSilo_ActivatesOnTheSiloItsKeyNames(string caller, string node)
    {
        // cpu:7 is announced by no silo, so nothing has activated it: this call places it, from the other silo.
        var worker = fixture.GrainsOn(caller).GetGrain<IInferenceWorkerGrain>($"{node}/cpu:7");

        var status = await worker.GetStatusAsync();

        Assert.Equal(node, status.Silo);
        Assert.Equal(fixture.AddressOf(node), fixture.HostOf(worker));
    }

    [Fact]
    public async Task AWorkerForASiloNotInTheCluster_FailsNamingTheSilo()
    {
        var worker = fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>("node-z/cpu:0");

        var error = await Assert.ThrowsAsync<WorkerSiloNotFoundException>(() => worker.GetStatusAsync());

        Assert.Equal("node-z", error.SiloName);
        Assert.Contains("no active silo named 'node-z'", error.Message);
        Assert.Contains(NodeA, error.Message); // and says which silos there are
        Assert.Null(fixture.HostOf(worker));
    }

    [Fact]
    public async Task AWorkerKeyWithoutASilo_FailsNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<WorkerSiloNotFoundException>(
            () => fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>("cpu-only").GetStatusAsync());

        Assert.Contains("worker key 'cpu-only' is not '{siloName}/{device}'", error.Message);
    }

    [Fact]
    public async Task Starting_ADeviceTheSiloDoesNotAnnounce_IsRefused()
    {
        var worker = fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>($"{NodeB}/cpu:9");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => worker.StartAsync());

        Assert.Equal("silo 'node-b' has no device 'cpu:9' (it has cpu:0)", error.Message);
    }
}
