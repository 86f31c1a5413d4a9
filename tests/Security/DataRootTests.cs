using OrleansPathology.Grains;
using OrleansPathology.Slides;
using OrleansPathology.Tests.Telemetry;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// Every path a silo reads or writes (slides, masks, weights, datasets, outputs, checkpoints) goes through
/// <see cref="DataRoots.Check"/>: a path that leaves the roots, by <c>..</c> or through a symbolic link, is refused
/// naming the path as given and the roots, never where it really leads. (The fault tests run a symbolic link that
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
    public void Dot_dot_that_leaves_the_root_is_refused_naming_the_path_as_given()
    {
        var escaping = Path.Combine(Root, "slides", "..", "..", "outside", "secret.svs");

        var error = Assert.Throws<DataRootException>(() => Roots.Resolve(escaping));

        Assert.Equal($"slide {escaping}: is outside the configured data roots ({Root})", error.Message);
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
        Assert.Throws<DataRootException>(() => Roots.Resolve(Path.Combine(sibling, "x.svs")));
    }

    [Fact]
    public void A_symbolic_link_to_a_file_outside_the_root_is_refused()
    {
        var link = Path.Combine(Root, "slides", "link.svs");
        File.CreateSymbolicLink(link, Path.Combine(_dir, "outside", "secret.svs"));

        var error = Assert.Throws<DataRootException>(() => Roots.Resolve(link));

        // The link's target is not in the refusal: it would tell a client what lies outside the roots.
        Assert.Equal($"slide {link}: is outside the configured data roots ({Root})", error.Message);
        Assert.DoesNotContain("outside" + Path.DirectorySeparatorChar, error.Message);
    }

    [Fact]
    public void A_symbolic_link_to_a_folder_outside_the_root_is_refused_for_every_file_under_it()
    {
        var link = Path.Combine(Root, "mounted");
        Directory.CreateSymbolicLink(link, Path.Combine(_dir, "outside"));

        var error = Assert.Throws<DataRootException>(() => Roots.Resolve(Path.Combine(link, "secret.svs")));

        Assert.Equal($"slide {Path.Combine(link, "secret.svs")}: is outside the configured data roots ({Root})", error.Message);
    }

    [Fact]
    public void A_symbolic_link_that_stays_inside_the_root_is_allowed()
    {
        var link = Path.Combine(Root, "alias.svs");
        File.CreateSymbolicLink(link, Path.Combine(Root, "slides", "in.svs"));
        Assert.Equal(Path.Combine(Root, "slides", "in.svs"), Roots.Resolve(link));
    }

    [Theory]
    [InlineData(DataPathKind.Mask, "mask")]
    [InlineData(DataPathKind.Weights, "weights")]
    [InlineData(DataPathKind.Dataset, "dataset")]
    [InlineData(DataPathKind.Output, "output")]
    [InlineData(DataPathKind.Checkpoint, "checkpoint")]
    public void Every_kind_of_path_is_refused_outside_the_roots_and_allowed_inside(DataPathKind kind, string name)
    {
        Assert.Equal($"{name} /etc/passwd: is outside the configured data roots ({Root})",
            Assert.Throws<DataRootException>(() => Roots.Check("/etc/passwd", kind)).Message);
        var link = Path.Combine(Root, $"{name}-link");
        File.CreateSymbolicLink(link, Path.Combine(_dir, "outside", "secret.svs"));
        Assert.Equal($"{name} {link}: is outside the configured data roots ({Root})",
            Assert.Throws<DataRootException>(() => Roots.Check(link, kind)).Message);
        Assert.Equal(Path.Combine(Root, "slides", "in.svs"), Roots.Check(Path.Combine(Root, "slides", "in.svs"), kind));
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_yet_is_checked_below_its_existing_parent()
    {
        Assert.Equal(Path.Combine(Root, "new", "deeper"), Roots.Check(Path.Combine(Root, "new", "deeper"), DataPathKind.Output));
        var mounted = Path.Combine(Root, "mounted");
        Directory.CreateSymbolicLink(mounted, Path.Combine(_dir, "outside"));
        Assert.Throws<DataRootException>(() => Roots.Check(Path.Combine(mounted, "new", "deeper"), DataPathKind.Output));
    }

    [Fact]
    public void A_dangling_link_is_judged_by_where_a_write_through_it_would_land()
    {
        var dangling = Path.Combine(Root, "out.probmap");
        File.CreateSymbolicLink(dangling, Path.Combine(_dir, "outside", "not-yet-there"));
        Assert.Throws<DataRootException>(() => Roots.Check(dangling, DataPathKind.Output));
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
        Assert.Equal($"slide {silo.EscapingPath}: is outside the configured data roots ({silo.Root})", byId["escape"].Error);
    }
}
