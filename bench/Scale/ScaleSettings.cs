namespace OrleansPathology.Bench.Scale;

/// <summary>One scale run: how many silos and simulated devices, how long a batch takes, where state lives.</summary>
public sealed record ScaleSettings(
    int Silos,
    int WorkersPerSilo,
    int BatchMs,
    string Storage,
    string CohortFile,
    int Slides,
    int RegionCells,
    int BatchesPerWorker,
    string? ConnectionString,
    string OutputRoot)
{
    public int Workers => Silos * WorkersPerSilo;
}
