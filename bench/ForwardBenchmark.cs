using System.Diagnostics;
using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Bench;

/// <summary>
/// The forward pass alone on one input shape: how the input's memory layout, precision and libtorch threads
/// move the compute stage. PyTorch picks oneDNN's channels-last convolutions when the input is channels-last
/// (strides of an NHWC buffer seen as NCHW), which PatchTensor's NHWC bytes are before its final contiguous().
/// </summary>
internal static class ForwardBenchmark
{
    public const string LayoutNchw = "nchw", LayoutChannelsLast = "channels-last";

    public sealed record Settings(string? WeightsPath, string? SlidePath, int Side, int Count, string[] Precisions, string[] Layouts, int Repeats, int Threads);

    public static void Run(Settings s)
    {
        BenchModel.SetThreads(s.Threads);
        var (rgb, source) = Pixels(s);
        Console.WriteLine($"## forward: {s.Count} x 3 x {s.Side} x {s.Side} of {source}, {BenchModel.Describe(s.WeightsPath)}, median of {s.Repeats} after one warm-up pass");
        Console.WriteLine(Machine.Describe());
        var table = new MarkdownTable("precision", "layout", "input", "median s", "min s", "median cpu s", "output cells/s (stride 32)", "max abs diff vs first row", "load before / after");
        var outputs = FcnResNet18.OutputSize(s.Side);
        float[]? reference = null;
        foreach (var precision in s.Precisions)
        {
            var device = ComputeDevice.Parse("cpu", precision);
            using var model = ModelLoader.PrepareForInference(BenchModel.Create(s.WeightsPath), device);
            foreach (var layout in s.Layouts)
            {
                var load = Machine.LoadAverage();
                var times = new List<double>();
                var cpuTimes = new List<double>();
                var process = Process.GetCurrentProcess();
                float[] result = [];
                for (var i = 0; i <= s.Repeats; i++)
                {
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    using (var scope = NewDisposeScope())
                    using (no_grad())
                    {
                        var input = Input(rgb, s.Count, s.Side, device.ScalarType, layout);
                        result = model.forward(input).sigmoid().to(ScalarType.Float32).reshape(-1).data<float>().ToArray();
                    }
                    if (i == 0) continue;
                    times.Add(clock.Elapsed.TotalSeconds);
                    process.Refresh();
                    cpuTimes.Add((process.TotalProcessorTime - cpu).TotalSeconds);
                }
                reference ??= result;
                var diff = result.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
                times.Sort();
                cpuTimes.Sort();
                var median = times[times.Count / 2];
                table.Row(precision, layout, $"{s.Count}x3x{s.Side}x{s.Side}", median, times[0], cpuTimes[cpuTimes.Count / 2], s.Count * outputs * outputs / median, (double)diff,
                    $"{load} / {Machine.LoadAverage()}");
            }
        }
    }

    /// <summary>
    /// The input bytes: one region of the slide centred on its middle tissue cell, repeated for each image; or,
    /// with no slide, uniform noise (seed 1), whose activations are far from H&amp;E's and may time differently.
    /// </summary>
    internal static (byte[] Rgb, string Source) Pixels(Settings s)
    {
        var rgb = new byte[s.Count * s.Side * s.Side * 3];
        if (s.SlidePath is null)
        {
            new Random(1).NextBytes(rgb);
            return (rgb, "uniform noise");
        }
        using var slide = Slides.Slide.Open(s.SlidePath);
        var tissue = Tissue.TissueDetector.Detect(slide).Mask;
        var grid = new Inference.CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64);
        var cells = grid.ForegroundCells(tissue).ToArray();
        if (cells.Length == 0) throw new InvalidDataException($"{s.SlidePath}: no tissue to read");
        var (x, y) = grid.PatchOrigin(cells[cells.Length / 2], s.Side);
        slide.ReadRegion(x, y, 0, s.Side, s.Side, rgb.AsSpan(0, s.Side * s.Side * 3));
        for (var i = 1; i < s.Count; i++) rgb.AsSpan(0, s.Side * s.Side * 3).CopyTo(rgb.AsSpan(i * s.Side * s.Side * 3));
        return (rgb, $"{Path.GetFileName(s.SlidePath)} at ({x},{y})");
    }

    /// <summary>As PatchTensor.FromRgb, with the final layout chosen: contiguous NCHW, or the NHWC buffer's own channels-last strides.</summary>
    private static Tensor Input(byte[] rgb, int count, int side, ScalarType type, string layout)
    {
        var scaled = tensor(rgb, [count, side, side, 3], dtype: ScalarType.Byte).permute(0, 3, 1, 2).to(ScalarType.Float32).div_(127.5).sub_(1.0).to(type);
        return layout switch
        {
            LayoutNchw => scaled.contiguous(),
            LayoutChannelsLast => scaled,
            _ => throw new ArgumentException($"unknown layout '{layout}' (expected {LayoutNchw} or {LayoutChannelsLast})"),
        };
    }
}
