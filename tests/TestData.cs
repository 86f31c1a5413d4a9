namespace OrleansPathology.Tests;

/// <summary>Locates the real public test files in <c>../shared/data</c> beside the checkout (never written to).</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The <c>shared/data</c> folder.</summary>
    public static string Dir => Root.Value;

    public static string Slide(string name) => Path.Combine(Dir, "slides", name);
    public static string Annotation(string relative) => Path.Combine(Dir, "annotations", relative);
    public static string Patches(string relative) => Path.Combine(Dir, "patches", relative);

    /// <summary>A fresh empty folder under the system temp directory for one test's outputs.</summary>
    public static string NewTempDir(string prefix = "opath-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("OPATH_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        // Walk up from the test binaries to the checkout's parent, where shared/ sits beside it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"shared/data not found above {AppContext.BaseDirectory}; set OPATH_SHARED_DATA");
    }
}
