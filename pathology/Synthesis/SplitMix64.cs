namespace OrleansPathology.Synthesis;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): the
/// generator and its finaliser. Written out rather than using <see cref="Random"/> because a synthetic
/// cohort must be the same bytes for the same seed on every runtime version, and <see cref="Random"/>'s
/// seeded sequence is not a documented contract.
/// </summary>
internal struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Mix(_state += Gamma);

    /// <summary>Uniform in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [min, max).</summary>
    public int NextInt(int min, int max) => min + (int)((NextUInt64() >> 33) % (ulong)(max - min));

    /// <summary>Log-uniform in [min, max): sizes spread evenly over scales, as lesion sizes are.</summary>
    public double LogUniform(double min, double max) => Math.Exp(Uniform(Math.Log(min), Math.Log(max)));

    /// <summary>Standard normal (Box-Muller; one draw per call keeps the sequence simple to reason about).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>The SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A hash of a key and two coordinates: how per-cell and per-tile randomness is drawn, so that any tile
    /// can be rendered alone, in any order, on any thread, and come out the same.
    /// </summary>
    public static ulong Hash(ulong key, long a, long b) =>
        Mix(key ^ Mix((ulong)a * Gamma ^ Mix((ulong)b + Gamma)));

    /// <summary>A generator seeded from a key and a sub-stream number (slide index, say).</summary>
    public static SplitMix64 For(ulong key, long stream) => new(Hash(key, stream, 0x5EED));
}
