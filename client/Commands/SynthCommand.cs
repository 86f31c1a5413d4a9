using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath synth --out DIR --slides N --size WxH --seed S [--tumour-fraction F] [--test-fraction T]
/// [--patches-per-slide P] [--jpeg-quality Q] [--threads N]</c>: a synthetic CAMELYON16-style cohort with known truth.
/// Every option is read as text and checked here, so that any bad argument, malformed or out of range, is one line
/// on stderr and exit code 2 (System.CommandLine's own parse errors exit with 1).
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the cohort into (created if missing; same-named files are overwritten)." };
        var slides = new Option<string>("--slides") { Description = "Number of slides (at least 1)." };
        var size = new Option<string>("--size") { Description = $"Level-0 size of each slide, WIDTHxHEIGHT pixels at {CohortSynthesizer.MicronsPerPixel} um/px (each side {SynthesisOptions.MinimumSide} to {SynthesisOptions.MaximumSide})." };
        var seed = new Option<string>("--seed") { Description = "Seed (unsigned 64-bit): the same seed and options give the same bytes." };
        var tumourFraction = new Option<string>("--tumour-fraction") { Description = "Share of slides with tumour, 0..1, rounded half up to a slide count. Default 0.6." };
        var testFraction = new Option<string>("--test-fraction") { Description = "Share of tumour and of normal slides held out as test (never in dataset.json), 0..1. Default 0.33." };
        var patches = new Option<string>("--patches-per-slide") { Description = "Tumour patches per train tumour slide in dataset.json; normal patches balance them. Default 64." };
        var quality = new Option<string>("--jpeg-quality") { Description = "JPEG quality of the tiles, 1..100. Default 85." };
        var threads = new Option<string>("--threads") { Description = "Worker threads; the output does not depend on it. Default: the processor count." };

        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of text." };
        var command = new Command("synth", "Write synthetic H&E lymph-node slides (pyramidal JPEG TIFF) with tumour annotations, truth masks, cohort.json and dataset.json.")
        {
            output, slides, size, seed, tumourFraction, testFraction, patches, quality, threads, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            SynthesisOptions options;
            try
            {
                if (parse.UnmatchedTokens.Count > 0)
                    throw new ArgumentException($"unexpected argument(s): {string.Join(' ', parse.UnmatchedTokens)}");
                var (width, height) = ParseSize(Require(parse.GetValue(size), "--size"));
                options = new SynthesisOptions
                {
                    OutputDirectory = Require(parse.GetValue(output), "--out"),
                    Slides = ParseInt(Require(parse.GetValue(slides), "--slides"), "--slides"),
                    Width = width,
                    Height = height,
                    Seed = ParseSeed(Require(parse.GetValue(seed), "--seed")),
                    TumourFraction = ParseDouble(parse.GetValue(tumourFraction), "--tumour-fraction") ?? 0.6,
                    TestFraction = ParseDouble(parse.GetValue(testFraction), "--test-fraction") ?? 0.33,
                    PatchesPerSlide = ParseOptionalInt(parse.GetValue(patches), "--patches-per-slide") ?? 64,
                    JpegQuality = ParseOptionalInt(parse.GetValue(quality), "--jpeg-quality") ?? 85,
                    Parallelism = ParseOptionalInt(parse.GetValue(threads), "--threads") ?? Environment.ProcessorCount,
                };
                options.Validate();
                RequireFolder(options.OutputDirectory);
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine($"opath synth: {ex.Message}");
                return ExitCodes.Failure;
            }

            try
            {
                var manifest = Synthesize(options, stderr);
                var tumourSlides = manifest.Slides.Count(s => s.HasTumour);
                if (parse.GetValue(json))
                {
                    stdout.WriteLine(JsonSerializer.Serialize(new
                    {
                        output = options.OutputDirectory,
                        slides = manifest.Slides.Count,
                        tumourSlides,
                        testSlides = manifest.Slides.Count(s => s.Split == CohortSplits.Test),
                        cohort = Path.Combine(options.OutputDirectory, CohortManifest.FileName),
                    }, CliJson.Options));
                    return ExitCodes.Success;
                }
                stdout.WriteLine($"wrote {manifest.Slides.Count} slides ({tumourSlides} with tumour, {manifest.Slides.Count(s => s.Split == CohortSplits.Test)} test) to {options.OutputDirectory}");
                return ExitCodes.Success;
            }
            catch (JpegEncoderUnavailableException ex)
            {
                stderr.WriteLine($"opath synth: {ex.Message}");
                return ExitCodes.Failure;
            }
        }));
        return command;
    }

    private static CohortManifest Synthesize(SynthesisOptions options, TextWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        var slideClock = Stopwatch.StartNew();
        var progress = new Action<SynthesisProgress>(p =>
        {
            var label = $"[{p.SlideIndex + 1}/{p.SlideCount}] {p.SlideId} ({(p.HasTumour ? "tumour" : "normal")})";
            if (p.SlideDone)
            {
                stderr.WriteLine($"{label}: done in {slideClock.Elapsed.TotalSeconds:0.0} s");
            }
            else if (p.SlideFraction == 0)
            {
                slideClock.Restart();
                stderr.WriteLine($"{label}: {options.Width}x{options.Height}");
            }
        });
        var manifest = CohortSynthesizer.Run(options, new InlineProgress(progress));
        stderr.WriteLine($"cohort written in {clock.Elapsed.TotalSeconds:0.0} s");
        return manifest;
    }

    private static string Require(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required") : value;

    /// <summary>WIDTHxHEIGHT, e.g. 20000x15000.</summary>
    internal static (long Width, long Height) ParseSize(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height))
            return (width, height);
        throw new ArgumentException($"--size must be WIDTHxHEIGHT in pixels, e.g. 20000x20000 (got '{text}')");
    }

    private static int ParseInt(string text, string name) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} must be a whole number (got '{text}')");

    private static int? ParseOptionalInt(string? text, string name) => text is null ? null : ParseInt(text, name);

    private static double? ParseDouble(string? text, string name)
    {
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} must be a number (got '{text}')");
    }

    private static ulong ParseSeed(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--seed must be a whole number from 0 to {ulong.MaxValue} (got '{text}')");

    /// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<SynthesisProgress> report) : IProgress<SynthesisProgress>
    {
        public void Report(SynthesisProgress value) => report(value);
    }

    /// <summary>
    /// <c>--out</c> must name a folder, existing or to be created: a file there, or a file where a parent folder should
    /// be, is said in one line before any slide is made (not "Could not find a part of the path" at the first write).
    /// </summary>
    internal static void RequireFolder(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new ArgumentException($"--out {path}: is a file; give the folder to write the cohort into");
        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent)) throw new ArgumentException($"--out {path}: {parent} is a file, so no folder can be made under it");
            if (Directory.Exists(parent)) return;
        }
    }
}
