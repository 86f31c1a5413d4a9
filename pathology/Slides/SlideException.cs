namespace OrleansPathology.Slides;

/// <summary>
/// A slide could not be opened or read. The message always names the file and the reason, so one bad
/// slide can be reported and skipped without losing anything else.
/// </summary>
public class SlideException : Exception
{
    public SlideException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The slide file the error is about.</summary>
    public string Path { get; }

    /// <summary>What went wrong, without the path (OpenSlide's own message where it gave one).</summary>
    public string Reason { get; }
}
