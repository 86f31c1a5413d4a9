using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;

namespace OrleansPathology.Tests.Cluster;

/// <summary>
/// One in-process silo with the cohort, slide and map grains on memory storage and no workers, so a test alone
/// leases, records and fails batches.
/// </summary>
public static class WorkerlessCluster
{
    public static async Task<InProcessTestCluster> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.Services.AddSingleton<BatchResultWriter>();
            configure?.Invoke(silo.Services);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
