using System.CommandLine;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath results COHORT [--json]</c>: per slide, its state, output folder, map, heatmap and lesions CSV, lesion count
/// and error. Exit 0 when every slide completed, 1 when some did, 2 when none did (failed, cancelled or not yet done).
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var cohortId = new Argument<string?>("cohort") { Description = "Cohort id." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var cluster = new ClusterCommandLine();
        var command = new Command("results", "List a cohort's outputs per slide: folder, map, heatmap, lesions CSV, lesion count, error.") { cohortId, json };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "results", cluster.Secret(parse), async () =>
        {
            var id = ClusterCommandLine.RequireCohortId(parse.GetValue(cohortId));
            var (status, results) = await CohortCalls.ResultsAsync(parse, cluster, id, token);
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            if (parse.GetValue(json)) stdout.WriteLine(CohortReport.Json(results));
            else CohortReport.WriteResults(stdout, results);
            if (CohortReport.IsRunning(status)) stderr.WriteLine($"opath results: cohort {id} is still running ({CohortReport.Counts(status)})");
            return CohortReport.ExitCode(status);
        }));
        return command;
    }
}
