namespace OrleansPathology.Synthesis;

/// <summary>
/// Which slides hold tumour and which are held out for test, drawn from the seed before any slide is made.
/// Tumour slides: round(F·N) of them (half away from zero), chosen by a seeded shuffle. Test slides: per stratum
/// (tumour, normal) round(T·n), capped so at least one slide of a non-empty stratum stays in train.
/// </summary>
internal sealed record CohortPlan(string[] Ids, bool[] HasTumour, string[] Split, int[] TrainOrder)
{
    public static CohortPlan Create(SynthesisOptions options)
    {
        var n = options.Slides;
        var rng = SplitMix64.For(options.Seed, -1);
        var digits = Math.Max(3, (n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        var ids = Enumerable.Range(0, n).Select(i => "synth_" + i.ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var hasTumour = new bool[n];
        var tumourCount = (int)Math.Round(options.TumourFraction * n, MidpointRounding.AwayFromZero);
        foreach (var i in Shuffle(Enumerable.Range(0, n).ToArray(), ref rng).Take(tumourCount)) hasTumour[i] = true;

        var split = Enumerable.Repeat(CohortSplits.Train, n).ToArray();
        var trainOrder = new List<int>();
        foreach (var stratum in new[] { true, false })
        {
            var members = Shuffle(Enumerable.Range(0, n).Where(i => hasTumour[i] == stratum).ToArray(), ref rng);
            if (members.Length == 0) continue;
            var testCount = Math.Min((int)Math.Round(options.TestFraction * members.Length, MidpointRounding.AwayFromZero), members.Length - 1);
            foreach (var i in members.Take(testCount)) split[i] = CohortSplits.Test;
            trainOrder.AddRange(members.Skip(testCount));
        }
        return new CohortPlan(ids, hasTumour, split, [.. trainOrder]);
    }

    /// <summary>Fisher-Yates with the cohort's generator.</summary>
    private static int[] Shuffle(int[] items, ref SplitMix64 rng)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }
}
