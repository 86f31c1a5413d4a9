using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Inference;
using OrleansPathology.Tests.Faults;

namespace OrleansPathology.Tests.Workers;

/// <summary>
/// A device slower to come up than a grain call's timeout (a GPU's first context, a loaded node) is not a misconfigured
/// silo: the silo starts, and its watch starts the worker once it answers. Before the fix such a silo failed its start
/// (a trainer silo under a loaded test run exited 134 that way).
/// </summary>
public sealed class SlowWorkerStartTests
{
    [Fact]
    public async Task A_worker_that_activates_slower_than_the_call_timeout_does_not_fail_the_silo_and_starts_later()
    {
        await using var cluster = await FaultyCluster.StartAsync(new StorageFaults(), _ => { }, simulatedWorker: true,
            services: services => services.AddSingleton(_ =>
            {
                // The worker's first activation waits on its device: longer than the silo's call timeout below.
                Thread.Sleep(TimeSpan.FromSeconds(4));
                return new BatchScorer(new BatchScorerOptions(), TimeProvider.System);
            }),
            configure: silo =>
            {
                silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(1));
                silo.Services.Configure<WorkerOptions>(o => o.WatchInterval = TimeSpan.FromSeconds(1));
            });

        var worker = cluster.Client.GetGrain<IInferenceWorkerGrain>("solo/sim:0");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await worker.GetStatusAsync()).Pulling)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the worker was not started within 30 s of the silo's start");
            await Task.Delay(200);
        }
    }
}
