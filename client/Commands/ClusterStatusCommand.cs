using System.CommandLine;
using OrleansPathology.Client.Api;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath cluster status [--json]</c>: silos, each device's worker, active cohorts, training runs and the work waiting,
/// from the cluster's overview grain (or <c>GET /api/v1/cluster</c> with <c>--api</c>).
/// </summary>
internal static class ClusterStatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the overview as JSON (top-level silos, workers, cohorts, activeCohorts, training, pending)." };
        var cluster = new ClusterCommandLine();
        var status = new Command("status", "Silos, devices and their workers, active cohorts, training runs and the work waiting.") { json };
        cluster.AddTo(status);
        status.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "cluster status", cluster.Secret(parse), async () =>
        {
            var overview = await OperatorQueries.OverviewAsync(parse, cluster, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) stdout.WriteLine(CohortReport.Json(overview));
            else OperatorReport.WriteCluster(stdout, overview);
            return ExitCodes.Success;
        }));
        return new Command("cluster", "The cluster as an operator sees it.") { status };
    }
}

/// <summary><c>opath cohorts [--max N] [--json]</c>: the most recent cohorts with state and progress, newest first.</summary>
internal static class CohortsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the cohorts as JSON." };
        var max = new Option<string?>("--max") { Description = "How many cohorts, newest first. Default 50." };
        var cluster = new ClusterCommandLine();
        var command = new Command("cohorts", "List the cluster's recent cohorts with their state and progress.") { json, max };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "cohorts", cluster.Secret(parse), async () =>
        {
            var count = parse.GetValue(max) is { } text ? ClusterCommandLine.ParsePositiveInt(text, "--max") : 50;
            var cohorts = await OperatorQueries.CohortsAsync(parse, cluster, count, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) stdout.WriteLine(CohortReport.Json(cohorts));
            else OperatorReport.WriteCohorts(stdout, cohorts);
            return ExitCodes.Success;
        }));
        return command;
    }
}

/// <summary><c>opath training list [--json]</c> and <c>opath training status RUN [--json]</c>.</summary>
internal static class TrainingCommand
{
    public static Command Create()
    {
        var listJson = new Option<bool>("--json") { Description = "Print the runs as JSON." };
        var listCluster = new ClusterCommandLine();
        var list = new Command("list", "Training runs: those running, then the most recently ended.") { listJson };
        listCluster.AddTo(list);
        list.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "training list", listCluster.Secret(parse), async () =>
        {
            var runs = await OperatorQueries.TrainingAsync(parse, listCluster, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(listJson)) stdout.WriteLine(CohortReport.Json(runs));
            else OperatorReport.WriteTraining(stdout, runs);
            return ExitCodes.Success;
        }));

        var run = new Argument<string?>("run") { Description = "Training run id (as `opath train` printed it)." };
        var statusJson = new Option<bool>("--json") { Description = "Print the run's full status as JSON." };
        var statusCluster = new ClusterCommandLine();
        var status = new Command("status", "A training run's state, epochs with loss and accuracy, and its trainers.") { run, statusJson };
        statusCluster.AddTo(status);
        status.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "training status", statusCluster.Secret(parse), async () =>
        {
            var id = parse.GetValue(run);
            if (string.IsNullOrWhiteSpace(id) || id.StartsWith('-')) throw new ArgumentException("a training run id is required: opath training status RUN");
            var result = await OperatorQueries.TrainingStatusAsync(parse, statusCluster, id, token);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(statusJson)) stdout.WriteLine(CohortReport.Json(result));
            else OperatorReport.WriteTrainingStatus(stdout, result);
            return ExitCodes.Success;
        }));
        return new Command("training", "List training runs and show one.") { list, status };
    }
}
