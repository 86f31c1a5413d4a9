using Npgsql;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Cohorts;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// A database error that outlasts the state-write retries reaches the caller as its message. Found by the scale
/// benchmark (162 slides, PostgreSQL out of connection slots): the submit failed with Orleans'
/// "Could not find a codec for type Npgsql.PostgresException" instead of the database's reason.
/// </summary>
public sealed class StorageFaultMessageTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-storage-fault");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_database_error_at_submit_reaches_the_client_as_its_reason()
    {
        var faults = new StorageFaults();
        // Every write of the cohort's state fails (each retry of the state-write gate too), as PostgreSQL does when it has
        // no connection slot left.
        faults.FailWrites<CohortState>((_, _) => true, times: int.MaxValue,
            fault: () => new PostgresException("remaining connection slots are reserved for non-replication superuser connections", "FATAL", "FATAL", "53300"));
        await using var cluster = await FaultyCluster.StartAsync(faults, _ => { });
        var spec = new CohortSpec("db-full", [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights",
            Path.Combine(_dir, "out"), Stride: 128);

        var error = await Assert.ThrowsAsync<IOException>(() => cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec));

        Assert.Contains("53300: remaining connection slots are reserved", error.Message);
        Assert.Contains("cohort", error.Message);
    }
}
