using System.CommandLine;
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
        return root;
    }
}
