namespace OrleansPathology.Training;

/// <summary>
/// A dataset file or one of its entries is unusable: malformed JSON or coordinates, a missing slide, a patch
/// window outside its slide. The message names the file and, where there is one, the entry (its list and index,
/// image and location), so the bad line can be found and fixed.
/// </summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string file, string reason, TrainingSample? entry = null, Exception? inner = null)
        : base(entry is null ? $"{file}: {reason}" : $"{file}: {entry.Describe()}: {reason}", inner)
    {
        File = file;
        Reason = reason;
        Entry = entry;
    }

    /// <summary>The dataset file the error is about.</summary>
    public string File { get; }

    /// <summary>What is wrong, without the file and entry.</summary>
    public string Reason { get; }

    /// <summary>The offending entry, when the error is about one.</summary>
    public TrainingSample? Entry { get; }
}
