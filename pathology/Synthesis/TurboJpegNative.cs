using System.Runtime.InteropServices;

namespace OrleansPathology.Synthesis;

/// <summary>
/// The part of libjpeg-turbo's TurboJPEG 2.x API (<c>libturbojpeg.so.0</c>, Debian's libturbojpeg0) that
/// encodes one RGB tile to a self-contained baseline JPEG. Constants are from <c>turbojpeg.h</c> 2.1.
/// </summary>
internal static partial class TurboJpegNative
{
    public const string Library = "libturbojpeg.so.0";
    public const string DebianPackage = "libturbojpeg0";

    /// <summary>TJPF_RGB: 3 bytes per pixel, R then G then B.</summary>
    public const int PixelFormatRgb = 0;

    /// <summary>TJSAMP_420: chroma halved both ways, the sampling whole-slide scanners write.</summary>
    public const int Subsampling420 = 2;

    /// <summary>TJFLAG_NOREALLOC: encode into the caller's buffer of <see cref="BufferSize"/> bytes.</summary>
    public const int FlagNoRealloc = 1024;

    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    internal static partial IntPtr InitCompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    internal static partial int Destroy(IntPtr handle);

    // unsigned long is 64-bit on LP64 Linux, the only platform this binding loads on.
    [LibraryImport(Library, EntryPoint = "tjCompress2")]
    internal static unsafe partial int Compress2(IntPtr handle, byte* source, int width, int pitch, int height,
        int pixelFormat, byte** jpeg, nuint* jpegSize, int subsampling, int quality, int flags);

    [LibraryImport(Library, EntryPoint = "tjBufSize")]
    internal static partial nuint BufferSize(int width, int height, int subsampling);

    [LibraryImport(Library, EntryPoint = "tjAlloc")]
    internal static unsafe partial byte* Alloc(int bytes);

    [LibraryImport(Library, EntryPoint = "tjFree")]
    internal static unsafe partial void Free(byte* buffer);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    internal static partial IntPtr GetErrorString(IntPtr handle);
}
