namespace OrleansPathology.Slides;

/// <summary>
/// The folders slides may be read from. A path is accepted only when its real location (after
/// <c>..</c> and every symbolic link are resolved) lies inside one of the roots, so a cohort cannot make
/// a worker read anything else on the node.
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

    /// <summary>The real path of <paramref name="path"/>, or a <see cref="SlideException"/> when it lies outside every root.</summary>
    public string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        if (AllowsAll) return full;
        var real = RealPath(full);
        if (_roots.Any(root => real.StartsWith(root, StringComparison.Ordinal)))
            return real;
        throw new SlideException(path, $"is outside the configured data roots ({string.Join(", ", _roots.Select(r => r.TrimEnd(Path.DirectorySeparatorChar)))}); resolved to {real}");
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
            var target = info.Exists ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
            current = target is null ? next : Path.GetFullPath(target.FullName);
        }
        return current;
    }

    private static string WithSeparator(string path) => path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;
}
