using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// One in-process silo whose grain state goes through <see cref="FaultyGrainStorage"/> (memory storage underneath), so a
/// test decides which state writes fail or hang; with <paramref name="simulatedWorker"/> a <c>sim:0</c> worker scores
/// the batches (fast, no model), else the test alone leases and records them.
/// </summary>
public static class FaultyCluster
{
    private const string InnerStorage = "pathology-inner";

    public static async Task<InProcessTestCluster> StartAsync(
        StorageFaults faults, Action<PathologyGrainOptions> options, bool simulatedWorker = false, Action<IServiceCollection>? services = null,
        Action<ISiloBuilder>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(InnerStorage);
            silo.Services.AddKeyedSingleton<IGrainStorage>(PathologyGrainOptions.StorageName,
                (sp, _) => new FaultyGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(InnerStorage), faults));
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.Services.Configure(options);
            services?.Invoke(silo.Services);
            silo.Services.TryAddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            silo.Services.TryAddSingleton<BatchResultWriter>();
            if (simulatedWorker)
            {
                silo.AddInferenceWorkers(o =>
                {
                    o.SiloName = "solo";
                    o.Devices = ["sim:0"];
                    o.PollInterval = TimeSpan.FromMilliseconds(50);
                    o.Simulation.BatchTime = TimeSpan.FromMilliseconds(20);
                });
            }
            silo.AddPortableFaults();
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
