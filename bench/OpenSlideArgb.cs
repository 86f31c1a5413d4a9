using System.Runtime.InteropServices;

namespace OrleansPathology.Bench;

/// <summary>
/// openslide_read_region straight into a premultiplied ARGB buffer, without Slide's RGB conversion: separates
/// OpenSlide's own cost (decode, cache, compositing) from ours. Benchmark only; pathology/Slides owns the real binding.
/// </summary>
internal sealed partial class OpenSlideArgb : IDisposable
{
    private const string Library = "libopenslide.so.0";

    private readonly IntPtr _handle;

    public OpenSlideArgb(string path)
    {
        _handle = Open(path);
        if (_handle == IntPtr.Zero || GetError(_handle) != IntPtr.Zero) throw new InvalidDataException($"{path}: openslide_open failed");
    }

    public unsafe void ReadRegion(long x, long y, int width, int height, uint[] argb)
    {
        if (argb.Length < width * height) throw new ArgumentException($"{argb.Length} pixels cannot hold {width}x{height}", nameof(argb));
        fixed (uint* destination = argb) Read(_handle, destination, x, y, 0, width, height);
        if (GetError(_handle) is var error && error != IntPtr.Zero)
            throw new InvalidDataException($"openslide_read_region: {Marshal.PtrToStringUTF8(error)}");
    }

    public void Dispose() => Close(_handle);

    [LibraryImport(Library, EntryPoint = "openslide_open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Open(string path);

    [LibraryImport(Library, EntryPoint = "openslide_close")]
    private static partial void Close(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "openslide_get_error")]
    private static partial IntPtr GetError(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "openslide_read_region")]
    private static unsafe partial void Read(IntPtr handle, uint* destination, long x, long y, int level, long width, long height);
}
