namespace OrleansPathology.Tests;

/// <summary>Tests that swap Console.Out/Error run one at a time in this collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs a CLI action with stdout and stderr captured. Use only from tests in <see cref="ConsoleCollection"/>.</summary>
internal static class ConsoleCapture
{
    public static (int Exit, string Stdout, string Stderr) Run(Func<int> action)
    {
        var (originalOut, originalError) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = action();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
