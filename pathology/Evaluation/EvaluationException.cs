namespace OrleansPathology.Evaluation;

/// <summary>
/// Evaluation input is unusable: a truth or prediction file that is missing, malformed or does not fit its slide. The
/// message names the file and the problem. An <see cref="IOException"/>, so the console reports it as bad input (exit 2) without a stack trace.
/// </summary>
public sealed class EvaluationException : IOException
{
    public EvaluationException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file or folder the error is about.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Reason { get; }
}
