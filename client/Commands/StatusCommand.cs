using System.CommandLine;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath status COHORT [--json]</c>: where a cohort and each of its slides stand, once.</summary>
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
            return ExitCodes.Success;
        }));
        return command;
    }
}
