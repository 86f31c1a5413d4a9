using System.Diagnostics;
using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Bench;

/// <summary>
/// One dense region through the folded network whole and in bands of rows (<see cref="FoldedFcnResNet18.ForwardInBands"/>),
/// with each 3x3 convolution algorithm, the cases interleaved pass by pass so a noisy machine slows them alike: CPU
/// seconds per megapixel and the largest logit difference from the first case.
/// </summary>
internal static class BandsBenchmark
{
    public sealed record Settings(string? WeightsPath, string? SlidePath, int Side, int[] BandRows, ConvolutionAlgorithm[] Convolutions, int Repeats, int Threads);

    public static void Run(Settings s)
    {
        BenchModel.SetThreads(s.Threads);
        var (rgb, source) = ForwardBenchmark.Pixels(new ForwardBenchmark.Settings(s.WeightsPath, s.SlidePath, s.Side, 1, ["fp32"], [], s.Repeats, s.Threads));
        Console.WriteLine($"## bands: 1 x 3 x {s.Side} x {s.Side} of {source}, {BenchModel.Describe(s.WeightsPath)}, fp32, folded, channels-last input; {s.Repeats} passes per case after one warm-up, interleaved");
        Console.WriteLine(Machine.Describe());
        using var model = ModelLoader.PrepareForInference(BenchModel.Create(s.WeightsPath), ComputeDevice.Parse("cpu"));
        using var folded = FoldedFcnResNet18.Fold(model);
        using var bytes = tensor(rgb, [1, s.Side, s.Side, 3], dtype: ScalarType.Byte);
        var cases = s.Convolutions.SelectMany(c => s.BandRows.Select(b => (Convolutions: c, Band: b))).ToList();
        var cpu = cases.ToDictionary(c => c, _ => new List<double>());
        var wall = cases.ToDictionary(c => c, _ => new List<double>());
        var diff = cases.ToDictionary(c => c, _ => 0.0);
        float[]? whole = null;
        var process = Process.GetCurrentProcess();
        var load = Machine.LoadAverage();
        for (var pass = 0; pass <= s.Repeats; pass++)
        {
            foreach (var c in cases)
            {
                var (convolutions, band) = c;
                Tensor Rows(long first, int count) => PatchTensor.FromBytes(bytes.narrow(1, first, count), CPU, ScalarType.Float32, channelsLast: true);
                process.Refresh();
                var before = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                float[] logits;
                using (NewDisposeScope())
                {
                    var output = band == 0 ? folded.Forward(Rows(0, s.Side), convolutions) : folded.ForwardInBands(s.Side, band, Rows, convolutions);
                    logits = output.reshape(-1).data<float>().ToArray();
                }
                if (pass == 0)
                {
                    whole ??= logits;
                    diff[c] = logits.Zip(whole, (a, b) => Math.Abs(a - b)).Max();
                    continue;
                }
                wall[c].Add(clock.Elapsed.TotalSeconds);
                process.Refresh();
                cpu[c].Add((process.TotalProcessorTime - before).TotalSeconds);
            }
        }
        var megapixels = (double)s.Side * s.Side / 1e6;
        var table = new MarkdownTable("convolutions", "band rows", "median wall s", "median cpu s", "min cpu s", "cpu s per MP (median)", "MP per cpu s", "max abs logit diff vs first case", "load before / after");
        foreach (var key in cases)
        {
            var c = cpu[key].Order().ToList();
            var w = wall[key].Order().ToList();
            table.Row(key.Convolutions, key.Band == 0 ? "whole (Forward)" : key.Band, w[w.Count / 2], c[c.Count / 2], c[0], c[c.Count / 2] / megapixels,
                megapixels / c[c.Count / 2], diff[key], $"{load} / {Machine.LoadAverage()}");
        }
        var (kernels, scratch) = folded.WinogradBytes;
        Console.WriteLine($"Winograd's transformed kernels: {kernels / 1e6:0} MB; its largest scratch: {scratch / 1e6:0} MB");
    }
}
