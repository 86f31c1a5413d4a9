using System.Diagnostics;
using System.Text;

namespace OrleansPathology.Inference;

/// <summary>How a simulated device behaves (section <c>Sim</c> of a silo's settings).</summary>
public sealed record SimulatedDeviceOptions
{
    /// <summary>Time one batch takes, whatever its size. Default 100 ms (a dense batch on an H100-class GPU).</summary>
    public TimeSpan BatchTime { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Time added per cell of the batch. Default zero.</summary>
    public TimeSpan CellTime { get; init; } = TimeSpan.Zero;

    /// <summary>Whether the batch's pixels are read from the slide first, as a real device needs them. Default false.</summary>
    public bool ReadPixels { get; init; }
}

/// <summary>
/// A device that computes nothing: one batch at a time (as a GPU runs one forward pass at a time), it waits its
/// configured time and returns <see cref="Probability"/> for each cell, a function of the slide's file name and the
/// cell alone, so any run of a cohort, with or without faults, gives the same maps.
/// </summary>
public sealed class SimulatedDevice(SimulatedDeviceOptions options, TimeProvider time) : IScoringDevice
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _busyTicks;

    public bool NeedsPixels => options.ReadPixels;

    public bool NeedsWeights => false;

    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    public string? LoadedWeights { get; private set; }

    public async Task<(float[] Probabilities, double Seconds)> ScoreAsync(
        TileBatch batch, BatchPixels? pixels, WeightsSource weights, string precision, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = time.GetTimestamp();
            await Task.Delay(options.BatchTime + options.CellTime * batch.Cells.Count, time, cancellationToken).ConfigureAwait(false);
            // The slide's seed once per batch, not once per cell.
            var seed = Fnv1a(Path.GetFileName(batch.SlidePath));
            var probabilities = new float[batch.Cells.Count];
            for (var i = 0; i < probabilities.Length; i++) probabilities[i] = Probability(seed, batch.Cells[i].X, batch.Cells[i].Y);
            LoadedWeights = weights.Path;
            var elapsed = time.GetElapsedTime(started);
            Interlocked.Add(ref _busyTicks, elapsed.Ticks);
            return (probabilities, elapsed.TotalSeconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The simulated probability of cell (<paramref name="x"/>, <paramref name="y"/>) of the slide named
    /// <paramref name="slideName"/>: a smooth blob per 32x32-cell block (so lesions and heatmaps have structure),
    /// with values in [0, 1).
    /// </summary>
    public static float Probability(string slideName, int x, int y) => Probability(Fnv1a(slideName), x, y);

    private static float Probability(ulong seed, int x, int y)
    {
        var (bx, by) = (x >> 5, y >> 5);
        var block = Mix(seed ^ ((ulong)(uint)bx << 32 | (uint)by));
        var peak = (block >> 40) / (double)(1UL << 24); // the block's peak probability in [0, 1)
        var (cx, cy) = ((bx << 5) + 16 + (int)(block & 7) - 4, (by << 5) + 16 + (int)((block >> 3) & 7) - 4);
        var d2 = (double)(x - cx) * (x - cx) + (double)(y - cy) * (y - cy);
        return (float)(peak * Math.Exp(-d2 / 50.0));
    }

    public void Dispose() => _gate.Dispose();

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text)) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    // SplitMix64's finaliser: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
