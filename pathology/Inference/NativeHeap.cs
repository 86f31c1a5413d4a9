using System.Runtime.InteropServices;

namespace OrleansPathology.Inference;

/// <summary>
/// Gives freed native memory back to the operating system. libtorch frees each forward pass's activations
/// (hundreds of MB for a dense region) into glibc's heap, which keeps them: every new region shape then
/// grows the process (peak RSS 2.3-4.3 GB on a 20000x20000 slide). <c>malloc_trim(0)</c> after a pass returns
/// the free pages of every arena without the cost of mapping each large buffer afresh (MALLOC_MMAP_THRESHOLD_).
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Environment variable: <c>OPATH_MALLOC_TRIM=0</c> leaves the heap alone (for comparisons).</summary>
    public const string SwitchVariable = "OPATH_MALLOC_TRIM";

    private static bool _unavailable = !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(SwitchVariable) == "0";

    public static void Trim()
    {
        if (_unavailable) return;
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true; // not glibc (musl, ...): nothing to trim this way
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
