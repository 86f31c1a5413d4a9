using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansPathology.Slides;

/// <summary>
/// Reads regions of JPEG-compressed tiled TIFF/BigTIFF and Aperio SVS levels by decoding their tiles with
/// libjpeg-turbo, straight into the caller's buffer where a tile lies wholly inside the region, through a
/// bounded cache of decoded tiles where it does not, on several threads. Returns pixels identical to
/// OpenSlide 3.4.1's read_region (the same libjpeg-turbo decodes them; tiles are copied, never resampled).
/// Whatever it cannot reproduce exactly it declines (<see cref="TryRead"/> returns false) and OpenSlide
/// reads: other compressions, levels whose tiles disagree with the TIFF tags, level-0 offsets that fall
/// between a level's pixels (OpenSlide interpolates those), missing tiles, undecodable tiles.
/// </summary>
internal sealed class JpegTileReader : IDisposable
{
    private readonly string _path;
    private readonly TiffImage?[] _levels;
    private readonly double[] _downsamples;
    private readonly SafeFileHandle _file;
    private readonly DecodedTileCache _cache;
    private readonly ConcurrentBag<TurboJpegDecoder> _decoders = [];
    private readonly ConcurrentBag<JpegPartDecoder> _partDecoders = [];
    private readonly bool _parts = JpegPartDecoder.Available;
    private readonly int _threads;
    private readonly int _sharedEdge;
    private long _declined;
    private long _served;
    private long _decoded;
    private long _partsDecoded;

    private JpegTileReader(string path, TiffImage?[] levels, double[] downsamples, SlideReadOptions options)
    {
        _path = path;
        _levels = levels;
        _downsamples = downsamples;
        _threads = Math.Max(1, options.DecodeThreads);
        _sharedEdge = Math.Max(0, options.SharedEdgePixels);
        _cache = new DecodedTileCache(options.TileCacheBytes);
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    /// <summary>Slide levels this reader serves (the others go to OpenSlide).</summary>
    public IReadOnlyList<int> ServedLevels => Enumerable.Range(0, _levels.Length).Where(i => _levels[i] is not null).ToArray();

    /// <summary>Reads served and declined so far (tests and benchmarks check the fast path really ran).</summary>
    public (long Served, long Declined) Counts => (Interlocked.Read(ref _served), Interlocked.Read(ref _declined));

    internal DecodedTileCache Cache => _cache;

    /// <summary>Tiles decoded whole for reads so far (benchmarks compare them with the pixels read).</summary>
    public long TilesDecoded => Interlocked.Read(ref _decoded);

    /// <summary>Tiles decoded only in part, for isolated reads.</summary>
    public long TilePartsDecoded => Interlocked.Read(ref _partsDecoded);

    /// <summary>Whether isolated reads decode only the parts of tiles they cover (libopath_jpeg.so loaded), or why not.</summary>
    public string PartialDecoding => _parts ? "partial tiles for isolated reads" : $"whole tiles only: {JpegPartDecoder.Unavailable}";

    /// <summary>
    /// A reader for the levels of <paramref name="path"/> it can serve, or null with the reason when it serves
    /// none. <paramref name="levels"/> are OpenSlide's: a TIFF whose tiled directories do not match them
    /// one for one is left to OpenSlide entirely.
    /// </summary>
    public static JpegTileReader? TryOpen(string path, string vendor, IReadOnlyList<SlideLevel> levels, SlideReadOptions options, out string reason)
    {
        if (vendor is not ("aperio" or "generic-tiff"))
        {
            reason = $"vendor {vendor} is read by OpenSlide";
            return null;
        }
        IReadOnlyList<TiffImage> images;
        try
        {
            images = TiffImageFile.Read(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            reason = ex.Message;
            return null;
        }
        // OpenSlide 3.4.1 makes a level of every tiled directory: Aperio in file order, generic TIFF largest first.
        var tiled = images.Where(i => i.IsTiled).ToList();
        if (vendor == "generic-tiff") tiled = [.. tiled.OrderByDescending(i => i.Width)];
        if (tiled.Count != levels.Count || tiled.Where((image, k) => image.Width != levels[k].Width || image.Height != levels[k].Height).Any())
        {
            reason = $"its {tiled.Count} tiled directories do not match OpenSlide's {levels.Count} levels";
            return null;
        }

        var served = new TiffImage?[levels.Count];
        var reader = new JpegTileReader(path, served, levels.Select(l => l.Downsample).ToArray(), options);
        var notes = new List<string>();
        for (var k = 0; k < levels.Count; k++)
        {
            var why = reader.Unservable(tiled[k]);
            if (why is null) served[k] = tiled[k];
            else notes.Add($"level {k}: {why}");
        }
        if (served.All(s => s is null))
        {
            reader.Dispose();
            reason = string.Join("; ", notes);
            return null;
        }
        reason = notes.Count == 0 ? "every level" : string.Join("; ", notes);
        return reader;
    }

    /// <summary>
    /// Reads <paramref name="width"/> x <paramref name="height"/> pixels of <paramref name="level"/> whose top
    /// left is level-0 (<paramref name="x"/>, <paramref name="y"/>) into <paramref name="rgb"/>; pixels outside
    /// the level are white, as <see cref="Slide"/> shows OpenSlide's transparent ones. False: declined, rgb may
    /// be partly written, read it with OpenSlide. <paramref name="locality"/> decides what becomes of tiles it covers in part.
    /// </summary>
    public unsafe bool TryRead(long x, long y, int level, int width, int height, Span<byte> rgb, ReadLocality locality = ReadLocality.Neighbours)
    {
        var image = _levels[level];
        var ds = _downsamples[level];
        // OpenSlide reads level k at level-0 position / downsample: exact only where that is a whole pixel.
        var fx = x / ds;
        var fy = y / ds;
        if (image is null || fx != Math.Floor(fx) || fy != Math.Floor(fy) || Math.Abs(fx) > 1e15 || Math.Abs(fy) > 1e15)
            return Decline();
        var lx = (long)fx;
        var ly = (long)fy;

        var left = Math.Max(lx, 0);
        var top = Math.Max(ly, 0);
        var right = Math.Min(lx + width, image.Width);
        var bottom = Math.Min(ly + height, image.Height);
        var count = width * height * 3;
        if (left > lx || top > ly || right < lx + width || bottom < ly + height) rgb[..count].Fill(255);
        if (left >= right || top >= bottom)
        {
            Interlocked.Increment(ref _served);
            return true;
        }

        var tw = image.TileWidth;
        var th = image.TileHeight;
        var tx0 = (int)(left / tw);
        var tx1 = (int)((right - 1) / tw);
        var ty0 = (int)(top / th);
        var ty1 = (int)((bottom - 1) / th);
        var across = tx1 - tx0 + 1;
        var tiles = across * (ty1 - ty0 + 1);
        for (var t = 0; t < tiles; t++)
        {
            var index = (long)(ty0 + t / across) * image.TilesAcross + tx0 + t % across;
            if (image.TileByteCounts[index] <= 0) return Decline(); // OpenSlide decides what a missing tile shows
        }

        var failed = 0;
        fixed (byte* destination = rgb)
        {
            var target = (nint)destination;
            void ReadTile(int t)
            {
                if (Volatile.Read(ref failed) != 0) return;
                var col = tx0 + t % across;
                var row = ty0 + t / across;
                if (!CopyTile(image, level, col, row, lx, ly, width, left, top, right, bottom, locality, (byte*)target))
                    Interlocked.Exchange(ref failed, 1);
            }

            if (_threads == 1 || tiles < 2)
            {
                for (var t = 0; t < tiles; t++) ReadTile(t);
            }
            else
            {
                Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = _threads }, ReadTile);
            }
        }
        if (failed != 0) return Decline();
        Interlocked.Increment(ref _served);
        return true;
    }

    public void Dispose()
    {
        _file.Dispose();
        while (_decoders.TryTake(out var decoder)) decoder.Dispose();
        while (_partDecoders.TryTake(out var decoder)) decoder.Dispose();
    }

    private bool Decline()
    {
        Interlocked.Increment(ref _declined);
        return false;
    }

    // One tile's part of the region: from the cache if it is there; decoded straight into place when the region holds
    // all of it away from its shared edge (anywhere, for an isolated read); only the part covered, for an isolated
    // read; else decoded into the cache for the neighbouring read, then copied.
    private unsafe bool CopyTile(TiffImage image, int level, int col, int row, long lx, long ly, int width,
        long left, long top, long right, long bottom, ReadLocality locality, byte* destination)
    {
        var tw = image.TileWidth;
        var th = image.TileHeight;
        var tileX = (long)col * tw;
        var tileY = (long)row * th;
        var pitch = width * 3;
        var index = (long)row * image.TilesAcross + col;
        var key = DecodedTileCache.KeyOf(level, index);
        var tile = _cache.Get(key); // a neighbouring read may have decoded it already, inner tiles included
        var isolated = locality == ReadLocality.Isolated;
        var edge = isolated ? 0 : _sharedEdge;
        if (tile is null && tileX - left >= edge && tileY - top >= edge && right - tileX - tw >= edge && bottom - tileY - th >= edge)
            return DecodeForRead(image, index, destination + ((tileY - ly) * pitch + (tileX - lx) * 3), pitch);
        var x0 = Math.Max(left, tileX);
        var x1 = Math.Min(right, tileX + tw);
        var y0 = Math.Max(top, tileY);
        var y1 = Math.Min(bottom, tileY + th);
        if (tile is null && isolated && _parts)
        {
            Interlocked.Increment(ref _partsDecoded);
            var part = new TilePart((int)(x0 - tileX), (int)(y0 - tileY), (int)(x1 - x0), (int)(y1 - y0));
            return DecodeTile(image, index, destination + ((y0 - ly) * pitch + (x0 - lx) * 3), pitch, part);
        }

        if (tile is null)
        {
            tile = NewTile(tw * th * 3);
            fixed (byte* t = tile)
            {
                if (!DecodeForRead(image, index, t + PixelsAt(tile), tw * 3)) return false;
            }
            _cache.Add(key, tile);
        }
        var pixels = PixelsAt(tile);
        var rowBytes = (int)(x1 - x0) * 3;
        for (var y = y0; y < y1; y++)
        {
            var from = tile.AsSpan(pixels + (int)((y - tileY) * tw + (x0 - tileX)) * 3, rowBytes);
            from.CopyTo(new Span<byte>(destination + ((y - ly) * pitch + (x0 - lx) * 3), rowBytes));
        }
        return true;
    }

    // A cached tile's pixels start 16 bytes past a 32-byte boundary: libjpeg-turbo's SIMD colour conversion writes rows
    // aligned to 32 bytes with non-temporal stores, so decoding a tile there is slower (3-8 %, bench/jpeg-parts.sh) and
    // copying its part out at once reads it back from memory. Pinned, so the offset found from the address holds.
    internal static byte[] NewTile(int bytes) => GC.AllocateUninitializedArray<byte>(bytes + 32, pinned: true);

    internal static unsafe int PixelsAt(byte[] tile) =>
        (int)((16 - ((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(tile)) & 31)) & 31);

    private unsafe bool DecodeForRead(TiffImage image, long index, byte* destination, int pitch)
    {
        Interlocked.Increment(ref _decoded);
        return DecodeTile(image, index, destination, pitch);
    }

    // Reads a tile's stream (behind the shared JPEGTables where the directory has them) and decodes it, or the part of
    // it given: its header must say the tile's size and the colour space the TIFF tags give (OpenSlide's).
    private unsafe bool DecodeTile(TiffImage image, long index, byte* destination, int pitch, TilePart? part = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(StreamLength(image, index));
        try
        {
            var length = ReadStream(image, index, buffer);
            if (length < 0) return false;
            var jpeg = buffer.AsSpan(0, length);
            if (part is { } p)
            {
                var partDecoder = _partDecoders.TryTake(out var d) ? d : new JpegPartDecoder();
                try
                {
                    return ExpectedColourSpace(image) is { } space
                        && partDecoder.TryDecode(jpeg, image.TileWidth, image.TileHeight, space, p.X, p.Y, p.Width, p.Height, destination, pitch);
                }
                finally
                {
                    _partDecoders.Add(partDecoder);
                }
            }
            var decoder = Rent();
            try
            {
                if (!decoder.TryHeader(jpeg, out var header) || header.Width != image.TileWidth || header.Height != image.TileHeight
                    || header.ColourSpace != ExpectedColourSpace(image))
                    return false;
                return decoder.TryDecode(jpeg, header.Width, header.Height, destination, pitch);
            }
            finally
            {
                _decoders.Add(decoder);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A rectangle of a tile, in the tile's pixels.</summary>
    private readonly record struct TilePart(int X, int Y, int Width, int Height);

    /// <summary>The self-contained JPEG stream the reader decodes for a tile of a served level, or null (benchmarks decode these raw).</summary>
    internal byte[]? TileStream(int level, long index)
    {
        if (_levels[level] is not { } image) return null;
        var buffer = new byte[StreamLength(image, index)];
        var length = ReadStream(image, index, buffer);
        return length < 0 ? null : buffer[..length];
    }

    /// <summary>The TIFF directory behind a served level, or null.</summary>
    internal TiffImage? ImageOf(int level) => _levels[level];

    private static int StreamLength(TiffImage image, long index)
    {
        var stored = checked((int)image.TileByteCounts[index]);
        var tables = image.JpegTables is { Length: >= 4 } t ? t.Length - 4 : 0;
        return Math.Max(0, 2 + (image.Photometric == TiffImage.PhotometricRgb ? AdobeRgbMarker.Length : 0) + tables + stored - 2);
    }

    // SOI, an Adobe marker for RGB, the tables' body, then the tile after its SOI (TIFF Technical Note 2): its length, or -1.
    private int ReadStream(TiffImage image, long index, byte[] buffer)
    {
        var stored = checked((int)image.TileByteCounts[index]);
        if (stored < 4) return -1;
        var rgb = image.Photometric == TiffImage.PhotometricRgb;
        var tables = image.JpegTables is { Length: >= 4 } t ? t.AsSpan(2, t.Length - 4) : [];
        var prefix = 2 + (rgb ? AdobeRgbMarker.Length : 0) + tables.Length;
        var length = prefix + stored - 2;
        var jpeg = buffer.AsSpan(0, length);
        jpeg[0] = 0xFF;
        jpeg[1] = 0xD8;
        if (rgb) AdobeRgbMarker.CopyTo(jpeg[2..]);
        tables.CopyTo(jpeg[(prefix - tables.Length)..]);
        var tail = jpeg[(prefix - 2)..];
        var saved = (tail[0], tail[1]);
        if (!ReadExactly(tail, image.TileOffsets[index])) return -1;
        if (tail[0] != 0xFF || tail[1] != 0xD8) return -1; // not a JPEG stream after all
        (tail[0], tail[1]) = saved;
        return length;
    }

    /// <summary>
    /// APP14 "Adobe", version 100, transform 0: tells libjpeg the components are RGB, not YCbCr. OpenSlide sets
    /// libjpeg's jpeg_color_space to RGB for PhotometricInterpretation RGB (Aperio writes such tiles without any
    /// marker, so libjpeg alone would take them for YCbCr); TurboJPEG's only way to be told is this marker.
    /// A stream with a JFIF marker still reads as YCbCr and is declined by the header check.
    /// </summary>
    private static ReadOnlySpan<byte> AdobeRgbMarker =>
        [0xFF, 0xEE, 0x00, 0x0E, (byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];

    private bool ReadExactly(Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(_file, buffer[done..], offset + done);
            if (n == 0) return false;
            done += n;
        }
        return true;
    }

    private TurboJpegDecoder Rent() => _decoders.TryTake(out var decoder) ? decoder : new TurboJpegDecoder();

    // OpenSlide tells libjpeg the colour space from PhotometricInterpretation; TurboJPEG infers it from the
    // stream's markers. Where the two would differ the tile is declined.
    private static JpegColourSpace? ExpectedColourSpace(TiffImage image) => image.Photometric switch
    {
        TiffImage.PhotometricYCbCr => JpegColourSpace.YCbCr,
        TiffImage.PhotometricRgb => JpegColourSpace.Rgb,
        _ => null,
    };

    // Why a level is left to OpenSlide, or null when it can be served; the first stored tile is decoded as a probe.
    private unsafe string? Unservable(TiffImage image)
    {
        if (image.Compression != TiffImage.CompressionJpeg) return $"compression {image.Compression} is not JPEG (7)";
        if (image.SamplesPerPixel != 3 || image.BitsPerSample != 8 || image.PlanarConfiguration != 1)
            return $"{image.SamplesPerPixel} samples of {image.BitsPerSample} bits, planar {image.PlanarConfiguration}";
        if (ExpectedColourSpace(image) is null) return $"photometric {image.Photometric} is neither RGB nor YCbCr";
        var probe = Array.FindIndex(image.TileByteCounts, c => c > 0);
        if (probe < 0) return "no stored tiles";
        var rgb = new byte[image.TileWidth * image.TileHeight * 3];
        fixed (byte* p = rgb)
        {
            return DecodeTile(image, probe, p, image.TileWidth * 3)
                ? null
                : $"tile {probe} does not decode as a {image.TileWidth}x{image.TileHeight} {ExpectedColourSpace(image)} JPEG";
        }
    }

    public override string ToString() => $"libjpeg-turbo tiles of {_path}";
}
