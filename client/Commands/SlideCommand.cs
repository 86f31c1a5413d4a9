using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Slides;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath slide info PATH [--json]</c>: what OpenSlide sees in a slide file.</summary>
internal static class SlideCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The slide file (SVS, TIFF, NDPI, MRXS, ...)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var info = new Command("info", "Show a slide's vendor, levels, dimensions, resolution and associated images.") { path, json };
        info.SetAction(parse => CliErrors.Run(() =>
        {
            using var slide = Slide.Open(parse.GetValue(path)!);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(SlideSummary.Of(slide), CliJson.Options));
            else SlideSummary.Of(slide).WriteText(Console.Out);
            return ExitCodes.Success;
        }));

        return new Command("slide", "Inspect whole-slide images.") { info };
    }
}
