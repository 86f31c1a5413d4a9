using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Cluster;

/// <summary>
/// What a cohort refuses at submit, before any slide starts: settings that would fail only after every cell was scored
/// (a stride the outputs cannot be written at), or ids the keys and folders cannot hold.
/// </summary>
public sealed class CohortValidationTests : IAsyncLifetime
{
    private readonly string _dir = TestData.NewTempDir("opath-validation");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WorkerlessCluster.StartAsync();

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(4096)]
    public async Task AStrideTheOutputsCannotBeWrittenAt_IsRefusedAtSubmit_AndNoSlideStarts(int stride)
    {
        var id = $"stride-{stride}";
        var spec = new CohortSpec(id, [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights", _dir, stride);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _cluster.Client.GetGrain<ICohortGrain>(id).SubmitAsync(spec));

        Assert.Equal($"stride must be a power of two from 8 to 1024 (got {stride})", error.Message);
        Assert.Null(await _cluster.Client.GetGrain<ICohortGrain>(id).GetStatusAsync());
        Assert.Equal(RunState.Pending, (await _cluster.Client.GetGrain<ISlideGrain>($"{id}/cmu").GetProgressAsync()).State);
    }

    [Fact]
    public async Task AnIdTooLongForTheKeysAndFolders_IsRefusedAtSubmit()
    {
        var id = new string('c', 520);
        var spec = new CohortSpec(id, [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights", _dir);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _cluster.Client.GetGrain<ICohortGrain>(id).SubmitAsync(spec));

        Assert.EndsWith("has 520 characters; ids have at most 128", error.Message);
    }

    [Fact]
    public void TheEngine_RefusesTheSameStrides_BeforeAnyCellIsScored() =>
        Assert.Equal("stride must be a power of two from 8 to 1024 (got 100)",
            Assert.Throws<ArgumentException>(() => new InferenceOptions { Stride = 100 }.Validate()).Message);
}
