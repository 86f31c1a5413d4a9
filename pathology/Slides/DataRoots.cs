namespace OrleansPathology.Slides;

/// <summary>What a silo does with a path, named in a refusal.</summary>
public enum DataPathKind
{
    Slide,
    Mask,
    Weights,
    Dataset,
    Output,
    Checkpoint,
}

/// <summary>
/// The folders a silo may read and write: slides, masks, weights, datasets, outputs and checkpoints all go through
/// <see cref="Check"/>. A path is accepted only when its real location (after <c>..</c> and every symbolic link are
/// resolved) lies inside one of the roots, so a cohort or a training run cannot make a silo touch anything else on
/// the node. A refusal names the path as given and the roots, never where the path really leads (that would reveal
/// the layout outside the roots).
/// </summary>
public sealed class DataRoots
{
    private readonly string[] _roots;

    public DataRoots(IEnumerable<string> roots)
    {
        _roots = roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => WithSeparator(RealPath(Path.GetFullPath(r)))).ToArray();
    }

    /// <summary>No roots configured: every path is allowed (the embedded single-machine default).</summary>
    public bool AllowsAll => _roots.Length == 0;

    public IReadOnlyList<string> Roots => _roots;

    /// <summary>The real path of a slide, or a <see cref="DataRootException"/> when it lies outside every root.</summary>
    public string Resolve(string path) => Check(path, DataPathKind.Slide);

    /// <summary>
    /// The real path of <paramref name="path"/> (a <paramref name="kind"/> the silo reads or writes), or a
    /// <see cref="DataRootException"/> when it lies outside every root. Parts that do not exist yet (an output
    /// folder to create) are checked as written below their nearest existing, resolved, parent.
    /// </summary>
    public string Check(string path, DataPathKind kind)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new DataRootException(path ?? "", kind, "is empty");
        var full = Path.GetFullPath(path);
        if (AllowsAll) return full;
        var real = RealPath(full);
        if (_roots.Any(root => real.StartsWith(root, StringComparison.Ordinal) || real + Path.DirectorySeparatorChar == root))
            return real;
        throw new DataRootException(path, kind, $"is outside the configured data roots ({string.Join(", ", _roots.Select(r => r.TrimEnd(Path.DirectorySeparatorChar)))})");
    }

    /// <summary>Resolves links component by component; components that do not exist yet are kept as written.</summary>
    internal static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            // A dangling link is not "absent": its target is where a write would land.
            var target = info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
            current = target is null ? next : RealPath(Path.GetFullPath(target.FullName));
        }
        return current;
    }

    private static string WithSeparator(string path) => path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;
}

/// <summary>A path a silo was asked to read or write lies outside its data roots. The message names the path as given.</summary>
public sealed class DataRootException(string path, DataPathKind kind, string reason)
    : UnauthorizedAccessException($"{KindName(kind)} {path}: {reason}")
{
    public string Path { get; } = path;

    public DataPathKind Kind { get; } = kind;

    public static string KindName(DataPathKind kind) => kind switch
    {
        DataPathKind.Slide => "slide",
        DataPathKind.Mask => "mask",
        DataPathKind.Weights => "weights",
        DataPathKind.Dataset => "dataset",
        DataPathKind.Output => "output",
        _ => "checkpoint",
    };
}
