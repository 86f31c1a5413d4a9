using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Client.Commands;
using OrleansPathology.Grains;
using OrleansPathology.Model;

namespace OrleansPathology.Tests.Cluster;

/// <summary>The cohort commands' input: cohort files, the cluster options, passwords kept out of messages, exit codes.</summary>
public sealed class ClientCommandTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-client");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_synth_cohort_file_resolves_slide_and_mask_paths_against_its_folder()
    {
        var file = Write("sub/cohort.json", """
            {
              "id": "synth-7",
              "seed": 7,
              "slides": [
                { "id": "synth_000", "path": "slides/synth_000.tif", "split": "test", "hasTumour": true,
                  "annotation": "annotations/synth_000.xml", "truthMask": "masks/synth_000.truth.mask",
                  "tissueMask": "masks/synth_000.tissue.mask", "thumbnail": "thumbnails/synth_000.png",
                  "width": 4000, "height": 3000, "mppX": 0.25, "mppY": 0.25, "tumourRegions": 1 }
              ]
            }
            """);

        var cohort = CohortFile.Read(file);

        Assert.Equal("synth-7", cohort.Id);
        Assert.Null(cohort.WeightsPath);
        var slide = Assert.Single(cohort.Slides);
        Assert.Equal("synth_000", slide.SlideId);
        Assert.Equal(Path.Combine(_dir, "sub", "slides", "synth_000.tif"), slide.Path);
        Assert.Equal(Path.Combine(_dir, "sub", "masks", "synth_000.tissue.mask"), slide.MaskPath);
    }

    [Fact]
    public void A_list_cohort_file_keeps_absolute_paths_resolves_relative_ones_and_reads_weights()
    {
        var absolute = Path.Combine(_dir, "elsewhere", "a.svs");
        var file = Write("list.json", $$"""
            // hand-written: comments and trailing commas are fine
            { "id": "mine", "weights": "../models/w.bin",
              "slides": [ { "id": "a", "path": {{JsonSerializer.Serialize(absolute)}} },
                          { "id": "b", "path": "b.tif", "mask": "b.mask" }, ] }
            """);

        var cohort = CohortFile.Read(file);

        Assert.Equal(Path.GetFullPath(Path.Combine(_dir, "..", "models", "w.bin")), cohort.WeightsPath);
        Assert.Equal([new SlideSpec("a", absolute), new SlideSpec("b", Path.Combine(_dir, "b.tif"), Path.Combine(_dir, "b.mask"))], cohort.Slides);
    }

    [Fact]
    public void A_missing_cohort_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(_dir, "nope.json");

        var error = Assert.Throws<CohortFileException>(() => CohortFile.Read(path));

        Assert.Equal($"cohort file {path}: not found", error.Message);
    }

    [Theory]
    [InlineData("{ \"id\": \"x\", \"slides\": [ { \"id\": \"a\", \"path\": } ] }", "is not valid cohort JSON at line 1")]
    [InlineData("[1, 2]", "is not valid cohort JSON")]
    [InlineData("{ \"id\": \"x\" }", "has no slides")]
    [InlineData("{ \"id\": \"x\", \"slides\": [ { \"id\": \"a\" } ] }", "slide 1 ('a') has no \"path\"")]
    [InlineData("{ \"id\": \"x\", \"slides\": [ { \"id\": \"a\", \"path\": \"1\" }, { \"id\": \"a\", \"path\": \"2\" } ] }", "names slide id 'a' 2 times")]
    public void A_bad_cohort_file_is_an_error_naming_the_file_and_the_problem(string json, string problem)
    {
        var file = Write("bad.json", json);

        var error = Assert.Throws<CohortFileException>(() => CohortFile.Read(file));

        Assert.StartsWith($"cohort file {file}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void The_spec_takes_options_over_the_file_and_makes_every_path_absolute()
    {
        var file = CohortFile.Read(Write("c.json", """{ "id": "from-file", "weights": "w.bin", "slides": [ { "id": "a", "path": "a.svs" } ] }"""));

        var fromFile = SubmitCommand.BuildSpec(file, id: null, weights: null, stride: null, mode: null, precision: null, output: null);
        var fromOptions = SubmitCommand.BuildSpec(file, "other", "rel/w2.bin", "128", "PATCH", "bf16", "out");

        Assert.Equal(new CohortSpec("from-file", file.Slides, Path.Combine(_dir, "w.bin"), Path.GetFullPath(SubmitCommand.DefaultOutputRoot)), fromFile);
        Assert.Equal(new CohortSpec("other", file.Slides, Path.GetFullPath("rel/w2.bin"), Path.GetFullPath("out"), 128, ScoringMode.Patch, "bf16"), fromOptions);
    }

    [Theory]
    [InlineData(null, "no model weights: pass --weights or add \"weights\" to")]
    [InlineData("--stride", "--stride must be a positive whole number (got '0')")]
    [InlineData("--mode", "--mode must be dense or patch (got 'fast')")]
    [InlineData("--precision", "--precision must be fp32, bf16 or fp16 (got 'int8')")]
    public void A_bad_spec_setting_names_itself(string? bad, string message)
    {
        var file = CohortFile.Read(Write("c.json", """{ "id": "c", "slides": [ { "id": "a", "path": "a.svs" } ] }"""));

        var error = Assert.Throws<ArgumentException>(() => SubmitCommand.BuildSpec(file, null, bad is null ? null : "w.bin",
            bad == "--stride" ? "0" : null, bad == "--mode" ? "fast" : null, bad == "--precision" ? "int8" : null, null));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("Host=db;Username=opath;Password=hunter2;Database=opath", "Host=db;Username=opath;Password=***;Database=opath")]
    [InlineData("Host=db;PWD = 'it''s;secret' ;Database=x", "Host=db;PWD=*** ;Database=x")]
    [InlineData("host=db;password=\"a;b\"", "host=db;password=***")]
    [InlineData("Host=db;Password=hunter2", "Host=db;Password=***")]
    [InlineData("Host=db;Database=opath", "Host=db;Database=opath")]
    [InlineData("postgres://opath:hunter2@db:5432/opath", "postgres://opath:***@db:5432/opath")]
    public void Redaction_hides_the_password_in_every_form(string connectionString, string redacted)
    {
        Assert.Equal(redacted, ConnectionStrings.Redact(connectionString));
    }

    [Fact]
    public void Scrubbing_hides_the_password_wherever_a_message_repeats_it()
    {
        const string cs = "Host=db;Username=opath;Password=hunter2";

        var scrubbed = ConnectionStrings.Scrub($"could not use {cs}; auth failed with hunter2 (see log)", cs);

        Assert.Equal("could not use Host=db;Username=opath;Password=***; auth failed with *** (see log)", scrubbed);
        Assert.DoesNotContain("hunter2", new ClusterTarget(ClusterKind.Postgres, ConnectionString: cs).ToString());
    }

    [Fact]
    public void The_cluster_option_reads_localhost_ports_and_postgres_with_its_connection_string()
    {
        var localhost = new ClusterTarget(ClusterKind.Localhost);

        Assert.Equal(ClusterTarget.Embedded, ClusterTarget.Parse(null, null, null, ClusterTarget.Embedded));
        Assert.Equal(localhost, ClusterTarget.Parse(null, null, "Host=ignored", localhost));
        Assert.Equal(new ClusterTarget(ClusterKind.Localhost, 30001), ClusterTarget.Parse("localhost:30001", null, null, localhost));
        Assert.Equal(new ClusterTarget(ClusterKind.Postgres, ConnectionString: "Host=a"), ClusterTarget.Parse("postgres", "Host=a", "Host=b", localhost));
        Assert.Equal(new ClusterTarget(ClusterKind.Postgres, ConnectionString: "Host=b"), ClusterTarget.Parse("postgres", null, "Host=b", localhost));
        Assert.Contains("pass --connection-string or set OPATH_CONNECTION_STRING",
            Assert.Throws<ArgumentException>(() => ClusterTarget.Parse("postgres", null, null, localhost)).Message);
        Assert.Contains("port from 1 to 65535 (got 'localhost:99999')",
            Assert.Throws<ArgumentException>(() => ClusterTarget.Parse("localhost:99999", null, null, localhost)).Message);
        Assert.Contains("--cluster must be localhost, localhost:PORT or postgres (got 'embedded')",
            Assert.Throws<ArgumentException>(() => ClusterTarget.Parse("embedded", null, null, localhost)).Message);
        Assert.Contains("--connection-string is used only with --cluster postgres",
            Assert.Throws<ArgumentException>(() => ClusterTarget.Parse("localhost", "Host=a", null, localhost)).Message);
    }

    [Fact]
    public async Task An_unreachable_postgres_cluster_is_one_line_without_the_password()
    {
        var cs = $"Host=127.0.0.1;Port={ClosedPort()};Username=opath;Password=hunter2-secret;Timeout=2";

        var (exit, stdout, stderr) = await OpathAsync("status", "c1", "--cluster", "postgres", "--connection-string", cs);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("opath status: no cluster answered at postgres (Host=127.0.0.1;", stderr);
        Assert.Contains("Password=***", stderr);
        Assert.DoesNotContain("hunter2-secret", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("cohort file {dir}/none.json: not found", "submit", "{dir}/none.json")]
    [InlineData("Required argument missing for command: 'submit'", "submit")]
    [InlineData("--stride must be a positive whole number (got 'x')", "submit", "{dir}/c.json", "--weights", "w", "--stride", "x")]
    [InlineData("Unrecognized command or argument 'extra'", "submit", "{dir}/c.json", "extra")]
    [InlineData("--cluster must be localhost, localhost:PORT or postgres (or absent for an embedded cluster) (got 'k8s')", "submit", "{dir}/c.json", "--cluster", "k8s")]
    [InlineData("a cohort id is needed", "status")]
    [InlineData("Required argument missing for command: 'watch'", "watch")]
    [InlineData("Required argument missing for command: 'results'", "results")]
    [InlineData("Required argument missing for command: 'cancel'", "cancel")]
    [InlineData("needs a PostgreSQL connection string", "db", "init")]
    public async Task Bad_input_is_one_clear_line_and_exit_code_2(string message, params string[] args)
    {
        Write("c.json", """{ "id": "c", "slides": [ { "id": "a", "path": "a.svs" } ] }""");
        var previous = Environment.GetEnvironmentVariable(ClusterTarget.ConnectionStringVariable);
        Environment.SetEnvironmentVariable(ClusterTarget.ConnectionStringVariable, null);
        try
        {
            var (exit, stdout, stderr) = await OpathAsync([.. args.Select(a => a.Replace("{dir}", _dir))]);

            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Empty(stdout);
            Assert.StartsWith($"opath {string.Join(' ', args.TakeWhile(a => a is "db" or "init" or "submit" or "status" or "watch" or "results" or "cancel"))}: ", stderr);
            Assert.Contains(message.Replace("{dir}", _dir), stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClusterTarget.ConnectionStringVariable, previous);
        }
    }

    [Fact]
    public void The_exit_code_is_0_when_all_completed_1_when_some_did_and_2_when_none_did()
    {
        static CohortStatus Of(params RunState[] states) => new("c", RunState.Completed,
            states.Select((s, i) => new SlideProgress($"s{i}", s, 1, 1, 10, 10)).ToList(), DateTimeOffset.UnixEpoch, null);

        Assert.Equal(ExitCodes.Success, CohortReport.ExitCode(Of(RunState.Completed, RunState.Completed)));
        Assert.Equal(ExitCodes.PartialFailure, CohortReport.ExitCode(Of(RunState.Completed, RunState.Failed)));
        Assert.Equal(ExitCodes.PartialFailure, CohortReport.ExitCode(Of(RunState.Completed, RunState.Cancelled)));
        Assert.Equal(ExitCodes.Failure, CohortReport.ExitCode(Of(RunState.Failed, RunState.Cancelled)));
        Assert.Equal("1 of 3 slides completed, 1 failed, 1 cancelled", CohortReport.Counts(Of(RunState.Completed, RunState.Failed, RunState.Cancelled)));
    }

    [Fact]
    public void Throughput_is_cells_per_second_over_the_window_and_eta_follows_it()
    {
        var meter = new Throughput(TimeSpan.FromSeconds(10));
        meter.Observe(TimeSpan.Zero, 0);
        Assert.Null(meter.CellsPerSecond);
        Assert.Null(meter.Eta(100));

        meter.Observe(TimeSpan.FromSeconds(5), 500);
        meter.Observe(TimeSpan.FromSeconds(10), 1000);
        meter.Observe(TimeSpan.FromSeconds(20), 1200);

        // The window now spans 10 s to 20 s: 200 cells in 10 s.
        Assert.Equal(20, meter.CellsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(30), meter.Eta(600));
        Assert.Equal("0:30", Throughput.Format(meter.Eta(600)));
        Assert.Equal("1:01:05", Throughput.Format(TimeSpan.FromSeconds(3665)));
        Assert.Equal("--:--", Throughput.Format(null));
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> OpathAsync(params string[] args) =>
        await OpathAsync(CancellationToken.None, args);

    internal static async Task<(int Exit, string Stdout, string Stderr)> OpathAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await OpathCommand.InvokeAsync(args, new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
