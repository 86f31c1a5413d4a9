using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Model;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Workers;

namespace OrleansPathology.Tests.Security;

[CollectionDefinition(Name)]
public sealed class RootedClusterCollection : ICollectionFixture<RootedClusterFixture>
{
    public const string Name = "rooted cluster";
}

/// <summary>
/// Two in-process silos restricted to one data root (<see cref="Root"/>), each with one CPU worker, on memory storage:
/// CMU-1-Small-Region.svs and random weights lie under the root, a copy of the slide and a secret file outside it.
/// </summary>
public sealed class RootedClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string Dir { get; } = TestData.NewTempDir("opath-rooted");

    public string Root => Path.Combine(Dir, "root");

    public string Outside => Path.Combine(Dir, "outside");

    public string SlidePath => Path.Combine(Root, "cmu.svs");

    public string WeightsPath => Path.Combine(Root, "random.weights");

    public string OutputRoot => Path.Combine(Root, "out");

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The two silos' workers; the silos never restart a drained one on their own (no watch in these tests).</summary>
    public IReadOnlyList<IInferenceWorkerGrain> Workers => _nodes.Select(node => Grains.GetGrain<IInferenceWorkerGrain>($"{node}/cpu:0")).ToList();

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _nodes = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), SlidePath);
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), Path.Combine(Outside, "cmu.svs"));
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "not for silos");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, WeightsPath, new ModelCard());

        var builder = new InProcessTestClusterBuilder(2);
        var root = Root;
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            silo.Services.Configure<PathologyGrainOptions>(o =>
            {
                o.Layouts["cpu"].RegionCells = 4;
                o.DataRoots = [root];
            });
            var node = WorkerClusterFixture.NodeNameOf(options.SiloName);
            _nodes.Add(node);
            silo.AddInferenceWorkers(o =>
            {
                o.SiloName = node;
                o.Devices = ["cpu:0"];
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.WatchInterval = TimeSpan.FromHours(1);
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Submits <paramref name="spec"/> and waits (a wait point, 5 minutes at most) for it to end.</summary>
    /// <remarks>
    /// With <paramref name="afterSubmit"/> the workers are drained until it has run, so no batch is leased before it.
    /// </remarks>
    public async Task<CohortStatus> RunAsync(CohortSpec spec, Func<Task>? afterSubmit = null)
    {
        var cohort = Grains.GetGrain<ICohortGrain>(spec.CohortId);
        if (afterSubmit is not null) await Task.WhenAll(Workers.Select(w => w.DrainAsync()));
        await cohort.SubmitAsync(spec);
        if (afterSubmit is not null)
        {
            await afterSubmit();
            await Task.WhenAll(Workers.Select(w => w.StartAsync()));
        }
        return await WaitAsync(spec.CohortId);
    }

    public async Task<CohortStatus> WaitAsync(string cohortId)
    {
        var cohort = Grains.GetGrain<ICohortGrain>(cohortId);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        CohortStatus? status;
        while ((status = await cohort.GetStatusAsync()) is null or { State: RunState.Running or RunState.Pending })
        {
            Assert.True(DateTime.UtcNow < deadline, $"cohort {cohortId} did not end within 5 minutes: {status}");
            await Task.Delay(200);
        }
        return status;
    }
}
