using OrleansPathology.Grains;
using OrleansPathology.Slides;
using OrleansPathology.Tests.Telemetry;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// Slides are read only from the configured data roots: a path that leaves them, by <c>..</c> or through a symbolic
/// link, is refused naming the path, the roots and where it really leads. (The fault tests run a symbolic link that
/// leaves the root through a silo process; here are <c>..</c> on a real silo and the resolution rules themselves.)
/// </summary>
public sealed class DataRootTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-roots");

    public DataRootTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "root", "slides"));
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        File.WriteAllText(Path.Combine(_dir, "root", "slides", "in.svs"), "");
        File.WriteAllText(Path.Combine(_dir, "outside", "secret.svs"), "");
    }

    private string Root => Path.Combine(_dir, "root");

    private DataRoots Roots => new([Root]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Dot_dot_that_leaves_the_root_is_refused_with_the_resolved_path()
    {
        var escaping = Path.Combine(Root, "slides", "..", "..", "outside", "secret.svs");

        var error = Assert.Throws<SlideException>(() => Roots.Resolve(escaping));

        Assert.StartsWith(escaping, error.Message);
        Assert.Contains($"is outside the configured data roots ({Root}); resolved to {Path.Combine(_dir, "outside", "secret.svs")}", error.Message);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_the_root_is_allowed()
    {
        var inside = Path.Combine(Root, "slides", "..", "slides", "in.svs");
        Assert.Equal(Path.Combine(Root, "slides", "in.svs"), Roots.Resolve(inside));
    }

    [Fact]
    public void A_sibling_folder_that_shares_the_root_name_as_a_prefix_is_outside()
    {
        var sibling = Directory.CreateDirectory(Path.Combine(_dir, "root-other")).FullName;
        File.WriteAllText(Path.Combine(sibling, "x.svs"), "");
        Assert.Throws<SlideException>(() => Roots.Resolve(Path.Combine(sibling, "x.svs")));
    }

    [Fact]
    public void A_symbolic_link_to_a_file_outside_the_root_is_refused()
    {
        var link = Path.Combine(Root, "slides", "link.svs");
        File.CreateSymbolicLink(link, Path.Combine(_dir, "outside", "secret.svs"));

        var error = Assert.Throws<SlideException>(() => Roots.Resolve(link));

        Assert.Contains($"resolved to {Path.Combine(_dir, "outside", "secret.svs")}", error.Message);
    }

    [Fact]
    public void A_symbolic_link_to_a_folder_outside_the_root_is_refused_for_every_file_under_it()
    {
        var link = Path.Combine(Root, "mounted");
        Directory.CreateSymbolicLink(link, Path.Combine(_dir, "outside"));

        var error = Assert.Throws<SlideException>(() => Roots.Resolve(Path.Combine(link, "secret.svs")));

        Assert.Contains($"resolved to {Path.Combine(_dir, "outside", "secret.svs")}", error.Message);
    }

    [Fact]
    public void A_symbolic_link_that_stays_inside_the_root_is_allowed()
    {
        var link = Path.Combine(Root, "alias.svs");
        File.CreateSymbolicLink(link, Path.Combine(Root, "slides", "in.svs"));
        Assert.Equal(Path.Combine(Root, "slides", "in.svs"), Roots.Resolve(link));
    }
}

/// <summary>A cohort naming a slide outside the data roots through <c>..</c>, on a real silo (<see cref="TelemetrySiloFixture"/>).</summary>
[Collection(TelemetrySiloCollection.Name)]
public sealed class DataRootClusterTests(TelemetrySiloFixture silo)
{
    [Fact]
    public void A_slide_named_through_dot_dot_outside_the_root_fails_alone_with_a_clear_error()
    {
        var byId = silo.Status.Slides.ToDictionary(s => s.SlideId);

        Assert.Equal(RunState.CompletedWithFailures, silo.Status.State);
        Assert.Equal(RunState.Completed, byId["cmu"].State);
        Assert.Equal(RunState.Failed, byId["escape"].State);
        Assert.Equal((0L, 0), (byId["escape"].CellsDone, byId["escape"].BatchesTotal)); // refused before any pixel was read
        Assert.Equal(
            $"{silo.EscapingPath}: is outside the configured data roots ({silo.Root}); resolved to {Path.Combine(silo.Dir, "outside", "cmu.svs")}",
            byId["escape"].Error);
    }
}
