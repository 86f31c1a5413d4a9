using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using OrleansPathology.Client.Commands;

namespace OrleansPathology.Client;

/// <summary>The root of the <c>opath</c> console: one sub-command per step of the workflow.</summary>
internal static class OpathCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("OrleansPathology: metastasis detection in whole-slide images on an Orleans cluster.");
        root.Subcommands.Add(SlideCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(MaskCommand.Create());
        root.Subcommands.Add(AnnotationsCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(ResultsCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ClusterStatusCommand.Create());
        root.Subcommands.Add(CohortsCommand.Create());
        root.Subcommands.Add(TrainingCommand.Create());
        // --api URL, before or after the command: the cohort and cluster commands go through a silo's HTTP API.
        root.Options.Add(Api.ApiClient.Option);
        return root;
    }

    /// <summary>
    /// Parses and runs a command line: the one place exit codes are mapped. A parse error or an unknown command is one
    /// line per error on stderr, <c>opath COMMAND: message</c>, and <see cref="ExitCodes.Failure"/> (System.CommandLine's
    /// own 1 would read as partial failure); Ctrl+C is <see cref="ExitCodes.Interrupted"/>.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            var names = new List<string>();
            for (var result = parse.CommandResult; result.Command is not RootCommand && result.Parent is CommandResult parent; result = parent)
                names.Insert(0, result.Command.Name);
            var prefix = names.Count == 0 ? "opath" : "opath " + string.Join(' ', names);
            foreach (var error in parse.Errors) configuration.Error.WriteLine($"{prefix}: {error.Message} (see {prefix} --help)");
            return ExitCodes.Failure;
        }
        // Ctrl+C and SIGTERM cancel the command's token, and the process waits for the command to unwind, however long
        // that takes: System.CommandLine's own handling returns after a timeout, and the runtime then tears libtorch down
        // under a thread still inside a forward pass (a segfault, exit 139).
        configuration.ProcessTerminationTimeout = null;
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Interrupt(context, interrupt));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Interrupt(context, interrupt));
        try
        {
            var exit = await parse.InvokeAsync(configuration, interrupt.Token);
            return interrupt.IsCancellationRequested && !cancellationToken.IsCancellationRequested && exit != ExitCodes.Success ? ExitCodes.Interrupted : exit;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    // The first signal asks the command to stop; a second one (the user insists) takes the default action at once.
    private static void Interrupt(PosixSignalContext context, CancellationTokenSource interrupt)
    {
        if (interrupt.IsCancellationRequested) return;
        context.Cancel = true;
        interrupt.Cancel();
    }

    /// <summary>As <see cref="InvokeAsync"/>, waiting for it.</summary>
    public static int Invoke(string[] args, InvocationConfiguration? configuration = null) =>
        InvokeAsync(args, configuration).GetAwaiter().GetResult();
}
