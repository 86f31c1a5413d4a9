using System.Collections.Concurrent;

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

    private static readonly ConcurrentBag<string> TempDirs = CleanedAtExit();

    /// <summary>
    /// A fresh empty folder under the system temp directory for one test's outputs, deleted when the test run's process
    /// exits (many tests leave theirs for a failure to be looked at; a run left gigabytes of overlays behind).
    /// </summary>
    public static string NewTempDir(string prefix = "opath-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        TempDirs.Add(dir);
        return dir;
    }

    private static ConcurrentBag<string> CleanedAtExit()
    {
        var dirs = new ConcurrentBag<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var dir in dirs)
            {
                try
                {
                    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // A file a child process still holds: the system's temp cleaning takes it.
                }
                catch (UnauthorizedAccessException)
                {
                    // Likewise (a test that made a folder unreadable on purpose).
                }
            }
        };
        return dirs;
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
