using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Model;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Workers;

[CollectionDefinition(Name)]
public sealed class WorkerClusterCollection : ICollectionFixture<WorkerClusterFixture>
{
    public const string Name = "worker cluster";
}

/// <summary>
/// Two in-process silos, <see cref="NodeA"/> and <see cref="NodeB"/>, each announcing one CPU worker
/// (<c>cpu:0</c>), with the slide, cohort and dispatcher grains on memory storage and a random-weights model.
/// Ready once every silo's metadata cache knows every silo's name.
/// </summary>
public sealed class WorkerClusterFixture : IAsyncLifetime
{
    public const string NodeA = "node-a";
    public const string NodeB = "node-b";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Random FcnResNet18 weights (with their model card).</summary>
    public string WeightsPath { get; private set; } = null!;

    public string OutputRoot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dir = TestData.NewTempDir("opath-workers");
        OutputRoot = Path.Combine(dir, "out");
        WeightsPath = Path.Combine(dir, "random.weights");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, WeightsPath, new ModelCard());

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            // Small dense regions keep each forward pass short on a CPU.
            silo.Services.Configure<PathologyGrainOptions>(o => o.Layouts["cpu"].RegionCells = 4);
            silo.AddInferenceWorkers(o =>
            {
                o.SiloName = NodeNameOf(options.SiloName);
                o.Devices = ["cpu:0"];
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.WatchInterval = TimeSpan.FromSeconds(1);
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await WaitUntilAsync(EverySiloKnowsEveryName, "every silo's metadata cache to know every silo's name");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>The test host names its silos Silo_0, Silo_1: the first is node-a, the second node-b.</summary>
    public static string NodeNameOf(string testSiloName) => testSiloName.EndsWith("_0", StringComparison.Ordinal) ? NodeA : NodeB;

    public SiloAddress AddressOf(string node) =>
        Cluster.Silos.Single(s => NodeNameOf(s.Name) == node).SiloAddress;

    /// <summary>A grain factory inside the silo <paramref name="node"/>: calls from it are placed by that silo.</summary>
    public IGrainFactory GrainsOn(string node) => Cluster.GetSiloServiceProvider(AddressOf(node)).GetRequiredService<IGrainFactory>();

    /// <summary>The silo that holds the activation of <paramref name="grain"/>, or null when it has none.</summary>
    public SiloAddress? HostOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    private bool EverySiloKnowsEveryName() => Cluster.Silos.All(viewer =>
    {
        var cache = Cluster.GetSiloServiceProvider(viewer.SiloAddress).GetRequiredService<ISiloMetadataCache>();
        return Cluster.Silos.All(s => cache.GetSiloMetadata(s.SiloAddress).Metadata.GetValueOrDefault(SiloMetadataKeys.SiloName) == NodeNameOf(s.Name));
    });

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="seconds"/> with what was awaited.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 30) =>
        await WaitUntilAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {seconds} s waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
