using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansPathology.Slides;

namespace OrleansPathology.Client;

/// <summary>
/// Process exit codes of <c>opath</c>, the one table every command maps to: 0 success, 1 partial failure, 2 bad input
/// (parse errors and unknown commands included) or failure, 130 interrupted. Scripts tell them apart.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Some items (slides of a cohort, say) failed; the rest succeeded.</summary>
    public const int PartialFailure = 1;
    /// <summary>Nothing useful was produced: bad input (a parse error, an unknown command), or every item failed.</summary>
    public const int Failure = 2;
    /// <summary>Stopped by Ctrl+C: 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;
}

internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>Turns the domain's expected failures into one clear line on stderr and an exit code, never a stack trace.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            Console.Error.WriteLine($"opath: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            Console.Error.WriteLine($"opath: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private static bool IsUserError(Exception ex) =>
        ex is SlideException or OrleansPathology.Model.ModelWeightsException or OrleansPathology.Inference.MaskMismatchException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException;
}
