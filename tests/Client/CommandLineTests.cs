using System.CommandLine;
using OrleansPathology.Client;
using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Tests.Client;

/// <summary>The command line as a whole: exit codes mapped in one place, --json everywhere, clean help, options from the environment.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandLineTests
{
    private static (int Exit, string Stdout, string Stderr) Opath(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = OpathCommand.Invoke(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void AnUnknownCommand_AndAParseError_ExitWith2_OnOneLineEach()
    {
        var (exit, stdout, stderr) = Opath("frobnicate");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("opath: ", stderr);
        Assert.Contains("opath: Unrecognized command or argument 'frobnicate'", stderr);

        (exit, _, stderr) = Opath("mask", TestData.Slide("small.svs"));
        Assert.Equal(2, exit);
        Assert.StartsWith("opath mask: Option '--out' is required", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));

        (exit, _, stderr) = Opath("infer", "s.svs", "--weights", "w", "--out", "o", "--mode", "Dense");
        Assert.Equal(2, exit);
        Assert.Contains("opath infer: ", stderr);
    }

    [Fact]
    public void EveryCommand_TakesJson()
    {
        var lacking = Leaves(OpathCommand.Create()).Where(c => c.Command.Options.All(o => o.Name != "--json")).Select(c => c.Path).ToList();
        Assert.Empty(lacking);
    }

    [Fact]
    public void Help_ShowsRequiredArgumentsAsRequired_LowerCaseValues_AndNoArtefacts()
    {
        foreach (var (path, _) in Leaves(OpathCommand.Create()))
        {
            var (exit, stdout, _) = Opath([.. path.Split(' ').Skip(1), "--help"]);
            Assert.Equal(0, exit);
            Assert.DoesNotContain("additional arguments", stdout);
            Assert.DoesNotContain("Arguments passed to the application", stdout);
        }
        // The usage line starts with the host's name (opath, or the test host here).
        Assert.Contains(" train <dataset> [options]", Opath("train", "--help").Stdout);
        Assert.Contains("--mode <dense|patch>", Opath("infer", "--help").Stdout);
        Assert.Contains(" watch <cohort> [options]", Opath("watch", "--help").Stdout);
    }

    [Fact]
    public void OpathCluster_StandsInForTheClusterOption()
    {
        var previous = Environment.GetEnvironmentVariable(ClusterCommandLine.ClusterVariable);
        Environment.SetEnvironmentVariable(ClusterCommandLine.ClusterVariable, "k8s");
        try
        {
            var (exit, _, stderr) = Opath("status", "some-cohort");

            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("(got 'k8s')", stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClusterCommandLine.ClusterVariable, previous);
        }
    }

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path = "opath")
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path, command);
            yield break;
        }
        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, $"{path} {sub.Name}")) yield return leaf;
        }
    }
}
