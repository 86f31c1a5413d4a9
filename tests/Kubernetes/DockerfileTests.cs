using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s.Models;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The Dockerfiles in <c>docker/</c> agree with the repository and the manifests: what they copy exists, they
/// publish the right project for the right libtorch, start its assembly, run as the pods' user, and are the
/// images the manifests name. (No Docker engine runs here: the images themselves are built elsewhere.)
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string, string, string> Images => new()
    {
        // Dockerfile, published project, libtorch flavour, image the manifests run
        { "silo.cpu.Dockerfile", "silo/Silo.csproj", "cpu", "opath/silo" },
        { "silo.cuda.Dockerfile", "silo/Silo.csproj", "cuda", "opath/silo-cuda" },
        { "client.Dockerfile", "client/Client.csproj", "cpu", "opath/client" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void A_Dockerfile_copies_what_exists_publishes_its_project_and_starts_its_assembly(string dockerfile, string project, string torch, string image)
    {
        var path = Path.Combine(Manifests.Repository, "docker", dockerfile);
        var lines = Instructions(path);
        var stages = lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(stages >= 2, $"{path}: expected a build stage and a runtime stage");

        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            Assert.All(parts, source => Assert.True(File.Exists(Path.Combine(Manifests.Repository, source)) || Directory.Exists(Path.Combine(Manifests.Repository, source)),
                $"{path}: {copy} names {source}, which is not in the repository"));
        }

        var publish = Assert.Single(lines, l => l.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains($"dotnet publish {project} ", publish);
        Assert.Contains($"-p:TorchDevice={torch}", publish);
        Assert.Contains($"-p:TorchDevice={torch}", Assert.Single(lines, l => l.Contains("dotnet restore", StringComparison.Ordinal)));
        var assembly = XDocument.Load(Path.Combine(Manifests.Repository, project)).Descendants("AssemblyName").Single().Value;
        Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{assembly}.dll\"]", lines[^1]);

        // The runtime stage: ASP.NET Core (the silo's health and metrics endpoints; the client embeds a silo), OpenSlide, the pods' user.
        var runtime = lines.SkipWhile(l => l != lines.Last(x => x.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        Assert.Contains(runtime, l => l.Contains("libopenslide0", StringComparison.Ordinal));
        // The fast tile reader: TurboJPEG at run time (Ubuntu's libturbojpeg), cc and libjpeg's headers before the
        // publish, which builds its partial-tile decoder libopath_jpeg.so.
        Assert.Contains(runtime, l => l.Contains("apt-get install", StringComparison.Ordinal) && l.Contains(" libturbojpeg", StringComparison.Ordinal));
        Assert.Contains(lines.TakeWhile(l => !l.Contains("dotnet publish", StringComparison.Ordinal)),
            l => l.Contains("apt-get install", StringComparison.Ordinal) && l.Contains(" gcc ", StringComparison.Ordinal) && l.Contains(" libjpeg-dev", StringComparison.Ordinal));
        Assert.Contains("USER 1654", runtime);
        // A worker's oneDNN primitive cache, bounded before libtorch starts (BENCHMARKS.md, canonical shapes over a cohort).
        Assert.Contains("ENV ONEDNN_PRIMITIVE_CACHE_CAPACITY=256", runtime);
        Assert.True(lines.Any(l => l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble", StringComparison.Ordinal)), $"{path}: no ASP.NET Core 10 runtime");
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", lines[0]);
        Assert.True(File.Exists(path + ".dockerignore"), $"{path} has no {dockerfile}.dockerignore");
        Assert.Contains("**/obj/", File.ReadAllLines(path + ".dockerignore"));

        // The images the manifests run as user 1654 are these.
        var pods = Manifests.Overlays.Select(Manifests.Overlay).SelectMany(m => m.PodTemplates())
            .Where(p => p.Spec.Containers.Any(c => ImageRepository(c.Image) == image)).ToList();
        Assert.NotEmpty(pods);
        Assert.All(pods, p => Assert.Equal(1654, p.Spec.SecurityContext.RunAsUser));
        Assert.Contains($"docker build -f docker/{dockerfile} -t {image}:dev .", File.ReadAllText(Path.Combine(Manifests.K8s, "README.md")));
    }

    [Fact]
    public void The_CUDA_image_has_the_CUDA_version_of_the_libtorch_package_on_Ubuntu_24_04()
    {
        var packages = XDocument.Load(Path.Combine(Manifests.Repository, "Directory.Packages.props"));
        var libtorch = packages.Descendants("PackageVersion").Select(p => p.Attribute("Include")!.Value).Single(p => p.StartsWith("libtorch-cuda-", StringComparison.Ordinal));
        var cuda = LibtorchCuda().Match(libtorch).Groups[1].Value;
        var lines = Instructions(Path.Combine(Manifests.Repository, "docker", "silo.cuda.Dockerfile"));

        var runtime = lines.Last(l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.Matches($"^FROM nvidia/cuda:{Regex.Escape(cuda)}\\.[0-9]+-cudnn-runtime-ubuntu24\\.04$", runtime);
        Assert.Contains(lines, l => l.StartsWith("COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet", StringComparison.Ordinal));
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped.</summary>
    private static List<string> Instructions(string path)
    {
        var text = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal);
        return text.Split('\n').Select(l => Regex.Replace(l.Trim(), "\\s+", " ")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    private static string ImageRepository(string image) => image[..(image.LastIndexOf(':') is var c and > 0 && c > image.LastIndexOf('/') ? c : image.Length)];

    [GeneratedRegex("^libtorch-cuda-([0-9]+\\.[0-9]+)-linux-x64$")]
    private static partial Regex LibtorchCuda();
}
