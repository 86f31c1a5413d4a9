using System.Runtime.InteropServices;

namespace OrleansPathology.Slides;

/// <summary>
/// Decodes only the part of a JPEG stream a read covers, through libopath_jpeg.so (Slides/Native/opath_jpeg.c: libjpeg's
/// jpeg_crop_scanline, jpeg_skip_scanlines and an early abort, which TurboJPEG 2.1 lacks). Pixels equal those of a whole
/// decode by <see cref="TurboJpegDecoder"/>. One instance per thread at a time.
/// </summary>
internal sealed partial class JpegPartDecoder : IDisposable
{
    private const string Library = "libopath_jpeg";

    private static readonly Lazy<string?> Missing = new(Probe);

    private IntPtr _handle;

    public JpegPartDecoder()
    {
        _handle = Create();
        if (_handle == IntPtr.Zero) throw new InvalidOperationException($"opath_jpeg_create failed ({Library})");
    }

    /// <summary>Whether libopath_jpeg.so loads here (the build skips it without a C compiler or libjpeg's headers).</summary>
    public static bool Available => Missing.Value is null;

    /// <summary>Why it does not load, or null.</summary>
    public static string? Unavailable => Missing.Value;

    /// <summary>
    /// Decodes the <paramref name="w"/> x <paramref name="h"/> pixels at (<paramref name="x"/>, <paramref name="y"/>) of a
    /// <paramref name="width"/> x <paramref name="height"/> stream of <paramref name="colourSpace"/> to RGB at
    /// <paramref name="destination"/>, rows <paramref name="pitch"/> bytes apart. False on any error or corrupt-data warning.
    /// </summary>
    public unsafe bool TryDecode(ReadOnlySpan<byte> jpeg, int width, int height, JpegColourSpace colourSpace,
        int x, int y, int w, int h, byte* destination, int pitch)
    {
        var libjpegSpace = colourSpace switch
        {
            JpegColourSpace.Rgb => 2, // JCS_RGB
            JpegColourSpace.YCbCr => 3, // JCS_YCbCr
            _ => -1,
        };
        if (libjpegSpace < 0) return false;
        fixed (byte* source = jpeg)
        {
            return DecodePart(_handle, source, (nuint)jpeg.Length, width, height, libjpegSpace, x, y, w, h, destination, pitch) == 0;
        }
    }

    public string LastError() => Marshal.PtrToStringUTF8(Error(_handle)) ?? "unknown error";

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        Destroy(_handle);
        _handle = IntPtr.Zero;
    }

    private static string? Probe()
    {
        try
        {
            new JpegPartDecoder().Dispose();
            return null;
        }
        catch (DllNotFoundException)
        {
            return $"{Library}.so not found beside the application (its build needs cc and libjpeg-dev: scripts/setup.sh)";
        }
        catch (EntryPointNotFoundException ex)
        {
            return $"{Library}.so is out of date ({ex.Message})";
        }
    }

    [LibraryImport(Library, EntryPoint = "opath_jpeg_create")]
    private static partial IntPtr Create();

    [LibraryImport(Library, EntryPoint = "opath_jpeg_destroy")]
    private static partial void Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "opath_jpeg_error")]
    private static partial IntPtr Error(IntPtr handle);

    // unsigned long is 64-bit on LP64 Linux, the only platform this binding loads on.
    [LibraryImport(Library, EntryPoint = "opath_jpeg_decode_part")]
    private static unsafe partial int DecodePart(IntPtr handle, byte* jpeg, nuint size, int width, int height, int colourSpace,
        int x, int y, int w, int h, byte* destination, int pitch);
}
