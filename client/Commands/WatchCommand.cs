using System.CommandLine;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath watch COHORT [--json]</c>: live progress of a cohort until it stops running; exits like <c>results</c>.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var cohortId = new Argument<string?>("cohort") { Description = "Cohort id." };
        var json = new Option<bool>("--json") { Description = "At the end, print the cohort status as JSON on stdout (progress goes to stderr)." };
        var cluster = new ClusterCommandLine();
        var command = new Command("watch", "Follow a cohort's progress (a bar per slide, cells/s, ETA) until it finishes; exit 0 all completed, 1 some failed, 2 none completed.")
        {
            cohortId, json,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "watch", cluster.Secret(parse), async () =>
        {
            var id = ClusterCommandLine.RequireCohortId(parse.GetValue(cohortId));
            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var asJson = parse.GetValue(json);
            await using var source = await CohortCalls.OpenAsync(parse, cluster, token);
            var status = await source.StatusAsync(id, token);
            var progress = asJson ? stderr : stdout;
            try
            {
                status = await new CohortWatcher(source.Poll(id, token), progress, CohortWatcher.IsTerminal(progress)).WatchAsync(status, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                stderr.WriteLine($"opath watch: stopped watching; cohort {id} keeps running");
                throw;
            }
            if (asJson) stdout.WriteLine(CohortReport.Json(status));
            else CohortReport.WriteStatus(stdout, status);
            return CohortReport.ExitCode(status);
        }));
        return command;
    }
}
