using System.Diagnostics;
using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Bench;

/// <summary>
/// One dense region through the folded network whole and in bands of rows (<see cref="FoldedFcnResNet18.ForwardInBands"/>),
/// the cases interleaved pass by pass so a noisy machine slows them alike: CPU seconds per megapixel and the largest
/// logit difference from the whole pass.
/// </summary>
internal static class BandsBenchmark
{
    public sealed record Settings(string? WeightsPath, string? SlidePath, int Side, int[] BandRows, int Repeats, int Threads);

    public static void Run(Settings s)
    {
        BenchModel.SetThreads(s.Threads);
        var (rgb, source) = ForwardBenchmark.Pixels(new ForwardBenchmark.Settings(s.WeightsPath, s.SlidePath, s.Side, 1, ["fp32"], [], s.Repeats, s.Threads));
        Console.WriteLine($"## bands: 1 x 3 x {s.Side} x {s.Side} of {source}, {BenchModel.Describe(s.WeightsPath)}, fp32, folded, channels-last; {s.Repeats} passes per case after one warm-up, interleaved");
        Console.WriteLine(Machine.Describe());
        using var model = ModelLoader.PrepareForInference(BenchModel.Create(s.WeightsPath), ComputeDevice.Parse("cpu"));
        using var folded = FoldedFcnResNet18.Fold(model);
        using var bytes = tensor(rgb, [1, s.Side, s.Side, 3], dtype: ScalarType.Byte);
        Tensor Rows(long first, int count) => PatchTensor.FromBytes(bytes.narrow(1, first, count), CPU, ScalarType.Float32, channelsLast: true);

        var cpu = s.BandRows.ToDictionary(b => b, _ => new List<double>());
        var wall = s.BandRows.ToDictionary(b => b, _ => new List<double>());
        var diff = s.BandRows.ToDictionary(b => b, _ => 0.0);
        float[]? whole = null;
        var process = Process.GetCurrentProcess();
        var load = Machine.LoadAverage();
        for (var pass = 0; pass <= s.Repeats; pass++)
        {
            foreach (var band in s.BandRows)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                float[] logits;
                using (NewDisposeScope())
                {
                    var output = band == 0 ? folded.Forward(Rows(0, s.Side)) : folded.ForwardInBands(s.Side, band, Rows);
                    logits = output.reshape(-1).data<float>().ToArray();
                }
                if (pass == 0)
                {
                    whole ??= logits;
                    diff[band] = logits.Zip(whole, (a, b) => Math.Abs(a - b)).Max();
                    continue;
                }
                wall[band].Add(clock.Elapsed.TotalSeconds);
                process.Refresh();
                cpu[band].Add((process.TotalProcessorTime - before).TotalSeconds);
            }
        }
        var megapixels = (double)s.Side * s.Side / 1e6;
        var table = new MarkdownTable("band rows", "median wall s", "median cpu s", "min cpu s", "cpu s per MP (median)", "MP per cpu s", "max abs logit diff vs first case", "load before / after");
        foreach (var band in s.BandRows)
        {
            var c = cpu[band].Order().ToList();
            var w = wall[band].Order().ToList();
            table.Row(band == 0 ? "whole (Forward)" : band, w[w.Count / 2], c[c.Count / 2], c[0], c[c.Count / 2] / megapixels, megapixels / c[c.Count / 2], diff[band], $"{load} / {Machine.LoadAverage()}");
        }
    }
}
