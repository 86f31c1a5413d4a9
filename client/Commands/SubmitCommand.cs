using System.CommandLine;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath submit COHORT.json [--weights W] [--stride 64] [--mode dense|patch] [--precision fp32|bf16|fp16] [--tissue robust|otsu] [--out DIR]
/// [--id ID] [--cluster localhost[:PORT]|postgres] [--connection-string CS] [--wait] [--json]</c>: scores a cohort on a
/// cluster. Without <c>--cluster</c> the cluster is a silo in this process, so the command waits for the end.
/// </summary>
internal static class SubmitCommand
{
    /// <summary>The output root when <c>--out</c> is absent, relative to the working directory.</summary>
    public const string DefaultOutputRoot = "results";

    public static Command Create()
    {
        var file = new Argument<string?>("cohort")
        {
            Description = "Cohort file: the cohort.json of `opath synth`, or {\"id\", \"weights\"?, \"slides\": [{\"id\", \"path\", \"mask\"?}]}; paths relative to the file.",
        };
        var weights = new Option<string?>("--weights") { Description = "Model weights; default the cohort file's \"weights\". Must be readable by every silo." };
        var stride = new Option<string?>("--stride") { Description = "Level-0 pixels per map cell. Default 64." };
        var mode = new Option<string?>("--mode") { Description = "dense (shared computation) or patch (MONAI reference). Default dense." };
        var precision = new Option<string?>("--precision") { Description = "fp32, bf16 or fp16 (CUDA only). Default fp32." };
        var tissue = TissueOption.Create();
        var output = new Option<string?>("--out") { Description = $"Output root: each slide's map, heatmap and lesions CSV go to OUT/COHORT/SLIDE/. Default ./{DefaultOutputRoot}. Must be writable by every silo." };
        var id = new Option<string?>("--id") { Description = "Cohort id; default the cohort file's \"id\"." };
        var wait = new Option<bool>("--wait") { Description = "Follow progress until the cohort finishes; exit 0 all completed, 1 some failed, 2 none completed. Always on for the embedded cluster." };
        var json = new Option<bool>("--json") { Description = "Print the cohort status as JSON on stdout (progress goes to stderr)." };
        var cluster = new ClusterCommandLine();
        var command = new Command("submit", "Score a cohort of slides on a cluster (by default one started in this process), with live progress.")
        {
            file, weights, stride, mode, precision, tissue, output, id, wait, json,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "submit", cluster.Secret(parse), async () =>
        {
            // With --api the cluster is behind a silo's HTTP API, never this process.
            var target = CohortSource.ViaApi(parse) ? new ClusterTarget(ClusterKind.Localhost) : cluster.Target(parse, ClusterTarget.Embedded);
            var path = parse.GetValue(file);
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("a cohort file is required: opath submit COHORT.json");
            var spec = BuildSpec(CohortFile.Read(path), parse.GetValue(id), parse.GetValue(weights), parse.GetValue(stride),
                parse.GetValue(mode), parse.GetValue(precision), parse.GetValue(output)) with
                {
                    Tissue = Tissue.TissueMethods.Name(TissueOption.Parse(parse.GetValue(tissue))),
                };
            // The embedded cluster is this process: a missing weights file would only fail every batch, later.
            if (target.Kind == ClusterKind.Embedded && !File.Exists(spec.WeightsPath))
                throw new FileNotFoundException($"weights file {spec.WeightsPath} not found", spec.WeightsPath);

            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var asJson = parse.GetValue(json);
            await using var source = await CohortSource.OpenAsync(parse, cluster, token, ClusterTarget.Embedded);
            var status = await source.SubmitAsync(spec, token);
            if (!parse.GetValue(wait) && !source.IsEmbedded)
            {
                if (asJson) stdout.WriteLine(CohortReport.Json(status));
                else
                {
                    stdout.WriteLine($"submitted cohort {spec.CohortId} ({spec.Slides.Count} slide(s)) to {source.Where}; outputs under {Path.Combine(spec.OutputRoot, spec.CohortId)}");
                    CohortReport.WriteStatus(stdout, status);
                    stdout.WriteLine($"follow it with: opath watch {spec.CohortId}{source.Arguments}");
                }
                return ExitCodes.Success;
            }

            var progress = asJson ? stderr : stdout;
            try
            {
                status = await new CohortWatcher(source.Poll(spec.CohortId, token), progress, CohortWatcher.IsTerminal(progress)).WatchAsync(status, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                stderr.WriteLine(source.IsEmbedded
                    ? $"opath submit: interrupted; the embedded cluster stops and cohort {spec.CohortId} with it"
                    : $"opath submit: stopped watching; cohort {spec.CohortId} keeps running (opath watch {spec.CohortId}{source.Arguments})");
                throw;
            }
            if (asJson) stdout.WriteLine(CohortReport.Json(status));
            else CohortReport.WriteStatus(stdout, status);
            return CohortReport.ExitCode(status);
        }));
        return command;
    }

    /// <summary>
    /// The spec to submit: the cohort file's slides, the id and weights from the options or else the file, the grid
    /// and precision checked, and the weights and output root made absolute (silos resolve nothing against the
    /// client's working directory).
    /// </summary>
    internal static CohortSpec BuildSpec(CohortFile file, string? id, string? weights, string? stride, string? mode, string? precision, string? output)
    {
        var cohortId = id ?? file.Id ?? throw new ArgumentException($"cohort file {file.Path} has no \"id\"; add one or pass --id");
        var weightsPath = weights is not null ? Path.GetFullPath(weights)
            : file.WeightsPath ?? throw new ArgumentException($"no model weights: pass --weights or add \"weights\" to {file.Path}");
        return new CohortSpec(
            cohortId,
            file.Slides,
            weightsPath,
            Path.GetFullPath(output ?? DefaultOutputRoot),
            stride is null ? 64 : ClusterCommandLine.ParsePositiveInt(stride, "--stride"),
            mode is null ? ScoringMode.Dense : ClusterCommandLine.ParseMode(mode),
            precision is null ? "fp32" : ClusterCommandLine.ParsePrecision(precision));
    }

    /// <summary>The <c>--cluster</c> argument that reaches <paramref name="target"/> again (never the connection string).</summary>
    internal static string ClusterArguments(ClusterTarget target) => target.Kind switch
    {
        ClusterKind.Localhost when target.GatewayPort == ClusterTarget.DefaultGatewayPort => "",
        ClusterKind.Localhost => $" --cluster localhost:{target.GatewayPort}",
        ClusterKind.Postgres => " --cluster postgres",
        _ => "",
    };
}
