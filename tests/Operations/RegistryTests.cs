using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Operations;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Tests.Cluster;

namespace OrleansPathology.Tests.Operations;

/// <summary>The cluster's list of cohorts and a worker's rate over the last minute.</summary>
public sealed class RegistryTests
{
    [Fact]
    public async Task The_cohort_registry_lists_newest_first_once_each_and_forgets_beyond_its_bound()
    {
        var cluster = await WorkerlessCluster.StartAsync();
        try
        {
            var registry = cluster.Client.GetGrain<ICohortRegistryGrain>("bounded");
            for (var i = 0; i < CohortRegistryGrain.Kept + 5; i++) await registry.RegisterAsync($"c{i}", DateTimeOffset.UnixEpoch);
            await registry.RegisterAsync("c3", DateTimeOffset.UnixEpoch); // forgotten already: registers again as newest
            await registry.RegisterAsync($"c{CohortRegistryGrain.Kept}", DateTimeOffset.UnixEpoch); // known: no change

            var recent = await registry.RecentAsync(int.MaxValue);

            Assert.Equal(CohortRegistryGrain.Kept, recent.Count);
            Assert.Equal(["c3", $"c{CohortRegistryGrain.Kept + 4}", $"c{CohortRegistryGrain.Kept + 3}"], recent.Take(3));
            Assert.Equal(recent.Count, recent.Distinct().Count());
            Assert.DoesNotContain("c5", recent);
            Assert.Equal(2, (await registry.RecentAsync(2)).Count);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public void The_rate_is_the_cells_of_the_last_minute_over_the_last_minute()
    {
        var time = new FakeTimeProvider();
        var rate = new RecentRate(time);
        Assert.Equal(0, rate.CellsPerSecond());

        rate.Add(100);
        time.Advance(TimeSpan.FromSeconds(10));
        rate.Add(100);
        // 200 cells over the 10 s since the first batch.
        Assert.Equal(20, rate.CellsPerSecond(), 6);

        time.Advance(TimeSpan.FromSeconds(55));
        // The first batch left the window; 100 cells over the full minute.
        Assert.Equal(100 / 60.0, rate.CellsPerSecond(), 6);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, rate.CellsPerSecond());
    }
}
