using System.Runtime.InteropServices;

namespace OrleansPathology.Bench;

/// <summary>
/// Decodes JPEG streams to interleaved RGB with libjpeg-turbo's TurboJPEG 2.x API (<c>libturbojpeg.so.0</c>,
/// Debian's libturbojpeg0): the raw decode rate that reading a slide cannot beat. One instance per thread
/// (a TurboJPEG handle is not thread-safe). The encoding half of the binding lives in pathology/Synthesis.
/// </summary>
internal sealed partial class TurboJpegDecoder : IDisposable
{
    private const string Library = "libturbojpeg.so.0";

    /// <summary>TJPF_RGB (turbojpeg.h 2.1): 3 bytes per pixel, R then G then B.</summary>
    private const int PixelFormatRgb = 0;

    private readonly IntPtr _handle;

    public TurboJpegDecoder()
    {
        _handle = InitDecompress();
        if (_handle == IntPtr.Zero) throw new InvalidOperationException($"tjInitDecompress failed ({Library})");
    }

    /// <summary>The stream's width and height, read from its header.</summary>
    public unsafe (int Width, int Height) Header(ReadOnlySpan<byte> jpeg)
    {
        int width, height, subsampling, colourspace;
        fixed (byte* source = jpeg)
        {
            if (DecompressHeader3(_handle, source, (nuint)jpeg.Length, &width, &height, &subsampling, &colourspace) != 0)
                throw new InvalidDataException($"tjDecompressHeader3: {Error()}");
        }
        return (width, height);
    }

    /// <summary>Decodes one stream of <paramref name="width"/> x <paramref name="height"/> into <paramref name="rgb"/>.</summary>
    public unsafe void Decode(ReadOnlySpan<byte> jpeg, int width, int height, Span<byte> rgb)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException($"{rgb.Length} bytes cannot hold {width}x{height} RGB", nameof(rgb));
        fixed (byte* source = jpeg)
        fixed (byte* destination = rgb)
        {
            if (Decompress2(_handle, source, (nuint)jpeg.Length, destination, width, width * 3, height, PixelFormatRgb, 0) != 0)
                throw new InvalidDataException($"tjDecompress2: {Error()}");
        }
    }

    public void Dispose() => Destroy(_handle);

    private string Error() => Marshal.PtrToStringUTF8(GetErrorString(_handle)) ?? "unknown error";

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial IntPtr InitDecompress();

    // unsigned long is 64-bit on LP64 Linux.
    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader3(IntPtr handle, byte* jpeg, nuint jpegSize, int* width, int* height, int* subsampling, int* colourspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress2(IntPtr handle, byte* jpeg, nuint jpegSize, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    private static partial IntPtr GetErrorString(IntPtr handle);
}
