using System.CommandLine;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath cancel COHORT [--json]</c>: stops a cohort's unfinished slides; finished ones keep their outputs.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var cohortId = new Argument<string?>("cohort") { Description = "Cohort id." };
        var json = new Option<bool>("--json") { Description = "Print the cohort status after cancelling as JSON." };
        var cluster = new ClusterCommandLine();
        var command = new Command("cancel", "Cancel a cohort's unfinished slides (finished slides keep their outputs).") { cohortId, json };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "cancel", cluster.Secret(parse), async () =>
        {
            var id = ClusterCommandLine.RequireCohortId(parse.GetValue(cohortId));
            var status = await CohortCalls.CancelAsync(parse, cluster, id, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) stdout.WriteLine(CohortReport.Json(status));
            else
            {
                // A cohort that had ended before the cancel keeps its outcome.
                stdout.WriteLine(status.State == RunState.Cancelled ? $"cancelled cohort {id}" : $"cohort {id} had already ended ({status.State}); nothing to cancel");
                CohortReport.WriteStatus(stdout, status);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
