using System.Runtime.InteropServices;

namespace OrleansPathology.Model;

/// <summary>
/// Settings libtorch's native runtimes read once, as they load: each process's entry point applies them before its
/// first torch call. A setting the user has put in the environment is left as it is.
/// </summary>
public static partial class NativeRuntimeSettings
{
    public const string OpenMpWaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>
    /// OpenMP's idle threads sleep at once (PASSIVE) instead of spinning after each parallel region: the spin took a
    /// core from NNPACK's Winograd convolutions between libtorch's operations (a third of a 2-core machine's time in
    /// banded dense inference), and direct convolutions run no slower without it (BENCHMARKS.md, issue 12).
    /// Returns false where it came too late: libgomp was loaded already, with what the environment said then.
    /// </summary>
    public static bool Apply()
    {
        if (Environment.GetEnvironmentVariable(OpenMpWaitPolicy) is not null) return true;
        if (OpenMpLoaded()) return false;
        return SetEnv(OpenMpWaitPolicy, "PASSIVE", overwrite: 0) == 0;
    }

    /// <summary>The value libgomp reads (the process's native environment, not .NET's copy of it).</summary>
    public static string? NativeValue(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    private static bool OpenMpLoaded() =>
        File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(line => line.Contains("libgomp", StringComparison.Ordinal));

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
