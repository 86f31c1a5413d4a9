using System.Runtime.InteropServices;

namespace OrleansPathology.Synthesis;

/// <summary>
/// One TurboJPEG compressor and its output buffer. Not thread-safe: each tile worker owns one.
/// Each call returns a complete JPEG stream (SOI, tables, frame, EOI), as TIFF's "new-style" JPEG
/// compression allows per tile, so no shared JPEGTables tag is needed.
/// </summary>
internal sealed unsafe class TurboJpegEncoder : IDisposable
{
    private readonly int _maxWidth;
    private readonly int _maxHeight;
    private IntPtr _handle;
    private byte* _buffer;
    private readonly nuint _capacity;

    public TurboJpegEncoder(int maxWidth, int maxHeight, int quality, int subsampling = TurboJpegNative.Subsampling420)
    {
        Subsampling = subsampling;
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        _maxWidth = maxWidth;
        _maxHeight = maxHeight;
        Quality = quality;
        try
        {
            _handle = TurboJpegNative.InitCompress();
        }
        catch (DllNotFoundException ex)
        {
            throw new JpegEncoderUnavailableException(ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new JpegEncoderUnavailableException(ex);
        }
        if (_handle == IntPtr.Zero) throw new InvalidOperationException("tjInitCompress failed");
        // A worst-case buffer, allocated once: TJFLAG_NOREALLOC then never mallocs per tile.
        _capacity = TurboJpegNative.BufferSize(maxWidth, maxHeight, subsampling);
        _buffer = TurboJpegNative.Alloc(checked((int)_capacity));
        if (_buffer == null)
        {
            TurboJpegNative.Destroy(_handle);
            throw new OutOfMemoryException($"tjAlloc of {_capacity} bytes failed");
        }
    }

    public int Quality { get; }

    /// <summary>TJSAMP_* chroma subsampling; 4:2:0 unless asked otherwise.</summary>
    public int Subsampling { get; }

    /// <summary>Loads the library and makes a compressor once: throws <see cref="JpegEncoderUnavailableException"/> before any output is written.</summary>
    public static void EnsureAvailable()
    {
        using var probe = new TurboJpegEncoder(16, 16, 85);
    }

    /// <summary>
    /// Encodes interleaved RGB (<paramref name="pitch"/> bytes a row) as 4:2:0 YCbCr JPEG. The result lies in this
    /// encoder's own buffer and is valid until its next call: copy it out, nothing is allocated per tile.
    /// </summary>
    public ReadOnlySpan<byte> EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height, int pitch)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        if (width > _maxWidth || height > _maxHeight)
            throw new ArgumentException($"{width}x{height} exceeds the encoder's {_maxWidth}x{_maxHeight}");
        if (pitch < width * 3 || rgb.Length < (long)pitch * (height - 1) + width * 3) throw new ArgumentException("pixel buffer is smaller than the image", nameof(rgb));

        var output = _buffer;
        var size = _capacity;
        int rc;
        fixed (byte* source = rgb)
        {
            rc = TurboJpegNative.Compress2(_handle, source, width, pitch, height, TurboJpegNative.PixelFormatRgb,
                &output, &size, Subsampling, Quality, TurboJpegNative.FlagNoRealloc);
        }
        if (rc != 0)
            throw new InvalidOperationException($"tjCompress2 failed on a {width}x{height} tile: {Marshal.PtrToStringUTF8(TurboJpegNative.GetErrorString(_handle))}");
        return new ReadOnlySpan<byte>(output, checked((int)size));
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        TurboJpegNative.Free(_buffer);
        TurboJpegNative.Destroy(_handle);
        _buffer = null;
        _handle = IntPtr.Zero;
    }
}
