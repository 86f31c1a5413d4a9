using System.CommandLine;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath status COHORT [--json]</c>: where a cohort and each of its slides stand, once. Exit 0 while it runs or when every
/// slide completed, 1 when it ended with some slides failed or cancelled, 2 when none completed.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var cohortId = new Argument<string?>("cohort") { Description = "Cohort id (as `opath submit` printed it).", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the cohort status as JSON." };
        var cluster = new ClusterCommandLine();
        var command = new Command("status", "Print a cohort's state and each slide's progress.") { cohortId, json };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "status", cluster.Secret(parse), async () =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(cohortId)))
                throw new ArgumentException("a cohort id is needed: opath status COHORT (opath cohorts lists the cluster's cohorts)");
            var id = ClusterCommandLine.RequireCohortId(parse.GetValue(cohortId));
            var status = await CohortCalls.StatusAsync(parse, cluster, id, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) stdout.WriteLine(CohortReport.Json(status));
            else CohortReport.WriteStatus(stdout, status);
            // An ended cohort exits as `opath submit --wait` would have: 1 when some slides failed, 2 when none completed.
            return CohortReport.IsRunning(status) ? ExitCodes.Success : CohortReport.ExitCode(status);
        }));
        return command;
    }
}
