using System.Runtime.InteropServices;

namespace OrleansPathology.Slides;

/// <summary>
/// Decodes JPEG streams to interleaved RGB with libjpeg-turbo's TurboJPEG 2.x API (<c>libturbojpeg.so.0</c>,
/// Debian's libturbojpeg0, built from the same libjpeg-turbo as the libjpeg62-turbo OpenSlide decodes with,
/// and with the same defaults: accurate integer IDCT, fancy upsampling), so pixels come out as OpenSlide's.
/// One instance per thread at a time: a TurboJPEG handle is not thread-safe.
/// </summary>
internal sealed partial class TurboJpegDecoder : IDisposable
{
    private const string Library = "libturbojpeg.so.0";

    /// <summary>TJPF_RGB (turbojpeg.h 2.1): 3 bytes per pixel, R then G then B.</summary>
    private const int PixelFormatRgb = 0;

    private IntPtr _handle;

    public TurboJpegDecoder()
    {
        _handle = InitDecompress();
        if (_handle == IntPtr.Zero) throw new InvalidOperationException($"tjInitDecompress failed ({Library})");
    }

    /// <summary>The stream's size, chroma subsampling (TJSAMP_*) and colour space (TJCS_*) from its header; false if unreadable.</summary>
    public unsafe bool TryHeader(ReadOnlySpan<byte> jpeg, out JpegHeader header)
    {
        int width, height, subsampling, colourspace;
        fixed (byte* source = jpeg)
        {
            var ok = DecompressHeader3(_handle, source, (nuint)jpeg.Length, &width, &height, &subsampling, &colourspace) == 0;
            header = new JpegHeader(width, height, subsampling, (JpegColourSpace)colourspace);
            return ok;
        }
    }

    /// <summary>
    /// Decodes a <paramref name="width"/> x <paramref name="height"/> stream into <paramref name="destination"/>,
    /// whose rows are <paramref name="pitch"/> bytes apart: a tile can land straight inside a larger image.
    /// </summary>
    public unsafe bool TryDecode(ReadOnlySpan<byte> jpeg, int width, int height, byte* destination, int pitch)
    {
        fixed (byte* source = jpeg)
        {
            return Decompress2(_handle, source, (nuint)jpeg.Length, destination, width, pitch, height, PixelFormatRgb, 0) == 0;
        }
    }

    public string LastError() => Marshal.PtrToStringUTF8(GetErrorString(_handle)) ?? "unknown error";

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _ = Destroy(_handle);
        _handle = IntPtr.Zero;
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial IntPtr InitDecompress();

    // unsigned long is 64-bit on LP64 Linux, the only platform this binding loads on.
    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader3(IntPtr handle, byte* jpeg, nuint jpegSize, int* width, int* height, int* subsampling, int* colourspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress2(IntPtr handle, byte* jpeg, nuint jpegSize, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    private static partial IntPtr GetErrorString(IntPtr handle);
}

/// <summary>TJCS_* of turbojpeg.h: the colour space libjpeg infers from a stream's markers and component ids.</summary>
internal enum JpegColourSpace
{
    Rgb = 0,
    YCbCr = 1,
    Gray = 2,
    Cmyk = 3,
    Ycck = 4,
}

/// <summary>What a JPEG header says: size, TJSAMP_* subsampling, and colour space.</summary>
internal readonly record struct JpegHeader(int Width, int Height, int Subsampling, JpegColourSpace ColourSpace);
