using System.Runtime.CompilerServices;
using OrleansPathology.Model;

namespace OrleansPathology.Tests;

internal static class NativeRuntime
{
    // Before any test's first torch call, as the opath and silo entry points do.
    [ModuleInitializer]
    internal static void Apply() => NativeRuntimeSettings.Apply();
}
