using System.Text.Json;
using OrleansPathology.Client;

namespace OrleansPathology.Tests.Slides;

/// <summary><c>opath slide info</c> run in-process, as a user would type it.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SlideInfoCommandTests
{
    [Fact]
    public void Json_ListsVendorLevelsAndMpp()
    {
        var (exit, stdout, _) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(["slide", "info", TestData.Slide("boxes.tiff"), "--json"]).Invoke());

        Assert.Equal(ExitCodes.Success, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("generic-tiff", json.RootElement.GetProperty("vendor").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("levels").GetArrayLength());
        Assert.Equal(352.78, json.RootElement.GetProperty("mppX").GetDouble(), 2);
    }

    [Fact]
    public void Text_ShowsAssociatedImages()
    {
        var (exit, stdout, _) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(["slide", "info", TestData.Slide("CMU-1-Small-Region.svs")]).Invoke());

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("aperio", stdout);
        Assert.Contains("2220 x 2967", stdout);
        Assert.Contains("thumbnail", stdout);
    }

    [Fact]
    public void ACorruptSlide_IsOneClearLineAndExitCodeFailure()
    {
        var path = TestData.Slide("broken.svs");
        var (exit, stdout, stderr) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(["slide", "info", path]).Invoke());

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith($"opath: {path}: ", stderr);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }
}
