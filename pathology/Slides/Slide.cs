using System.Globalization;
using System.Runtime.InteropServices;
using OrleansPathology.Imaging;

namespace OrleansPathology.Slides;

/// <summary>
/// A whole-slide image opened through OpenSlide. One instance may be read from many threads at once
/// (OpenSlide handles are thread-safe); disposing waits for reads in flight. JPEG-compressed tiled TIFF and
/// Aperio SVS levels are read by decoding their tiles with libjpeg-turbo (<see cref="JpegTileReader"/>),
/// pixel for pixel what OpenSlide returns; everything else, and whatever that path declines, by OpenSlide.
/// </summary>
public sealed class Slide : IDisposable
{
    private readonly OpenSlideHandle _handle;
    private JpegTileReader? _tiles;

    private Slide(string path, OpenSlideHandle handle)
    {
        Path = path;
        _handle = handle;
        Properties = ReadProperties();
        Vendor = Properties.GetValueOrDefault("openslide.vendor") ?? "unknown";
        Levels = ReadLevels();
        AssociatedImages = ReadAssociatedImageInfos();
        MicronsPerPixel = ResolveMicronsPerPixel(Properties);
    }

    /// <summary>The file this slide was opened from, as given.</summary>
    public string Path { get; }

    /// <summary>OpenSlide's format name: aperio, generic-tiff, hamamatsu, mirax, ...</summary>
    public string Vendor { get; }

    /// <summary>Every property OpenSlide reports (openslide.*, tiff.*, vendor keys).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The pyramid, level 0 (full resolution) first.</summary>
    public IReadOnlyList<SlideLevel> Levels { get; }

    /// <summary>Level-0 width and height.</summary>
    public (long Width, long Height) Dimensions => (Levels[0].Width, Levels[0].Height);

    /// <summary>Level-0 resolution, or null when neither OpenSlide nor the TIFF tags give one.</summary>
    public MicronsPerPixel? MicronsPerPixel { get; }

    public IReadOnlyList<AssociatedImageInfo> AssociatedImages { get; }

    /// <summary>The OpenSlide library version in use.</summary>
    public static string LibraryVersion => Marshal.PtrToStringUTF8(OpenSlideNative.GetVersion()) ?? "unknown";

    /// <summary>
    /// Opens a slide. Every failure (missing file, directory, empty or corrupt file, a format OpenSlide
    /// does not read) is a <see cref="SlideException"/> naming the file and the reason.
    /// </summary>
    public static Slide Open(string path) => Open(path, SlideReadOptions.Default);

    /// <summary>As <see cref="Open(string)"/>, choosing how pixels are read.</summary>
    public static Slide Open(string path, SlideReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new SlideException(path, "is a directory, not a slide file");
        if (!File.Exists(path))
            throw new SlideException(path, "file not found");
        if (new FileInfo(path).Length == 0)
            throw new SlideException(path, "file is empty");

        OpenSlideHandle handle;
        try
        {
            if (OpenSlideNative.DetectVendor(path) == IntPtr.Zero)
                throw new SlideException(path, "not a slide format OpenSlide " + LibraryVersion + " can read");
            handle = OpenSlideNative.Open(path);
        }
        catch (DllNotFoundException ex)
        {
            throw new SlideException(path, "cannot load libopenslide.so.0 (install Debian's libopenslide0)", ex);
        }

        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new SlideException(path, "not a slide format OpenSlide " + LibraryVersion + " can read");
        }

        var error = ErrorOf(handle);
        if (error is not null)
        {
            handle.Dispose();
            throw new SlideException(path, error);
        }

        Slide slide;
        try
        {
            slide = new Slide(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        slide.AttachTileReader(options);
        return slide;
    }

    /// <summary>What reads this slide's pixels: "libjpeg-turbo (levels ...)" or "openslide", with the reason.</summary>
    public string PixelReader { get; private set; } = "openslide";

    /// <summary>Reads the fast path served and declined (declined reads went to OpenSlide); (0, 0) without it.</summary>
    public (long Served, long Declined) FastReads => _tiles?.Counts ?? (0, 0);

    /// <summary>Tiles the fast path has decoded whole (benchmarks set them against the pixels read).</summary>
    public long TilesDecoded => _tiles?.TilesDecoded ?? 0;

    /// <summary>Tiles the fast path has decoded only in part, for isolated reads.</summary>
    public long TilePartsDecoded => _tiles?.TilePartsDecoded ?? 0;

    private void AttachTileReader(SlideReadOptions options)
    {
        if (!options.JpegTiles)
        {
            PixelReader = "openslide (fast path off)";
            return;
        }
        try
        {
            _tiles = JpegTileReader.TryOpen(Path, Vendor, Levels, options, out var reason);
            PixelReader = _tiles is null
                ? $"openslide ({reason})"
                : $"libjpeg-turbo levels {string.Join(",", _tiles.ServedLevels)} ({reason}; {_tiles.PartialDecoding}), openslide otherwise";
        }
        catch (DllNotFoundException)
        {
            PixelReader = "openslide (libturbojpeg.so.0 missing: install Debian's libturbojpeg0)";
        }
    }

    /// <summary>The level OpenSlide picks for reading at <paramref name="downsample"/>: the coarsest not finer than asked.</summary>
    public int BestLevelForDownsample(double downsample)
    {
        var level = OpenSlideNative.GetBestLevelForDownsample(_handle, downsample);
        ThrowIfError($"choosing a level for downsample {downsample}");
        return Math.Max(level, 0);
    }

    /// <summary>
    /// Reads a region into RGB. <paramref name="x"/>, <paramref name="y"/> are level-0 coordinates of the top
    /// left pixel; <paramref name="width"/>, <paramref name="height"/> are in pixels of <paramref name="level"/>.
    /// Alpha is un-premultiplied; pixels outside the slide (alpha 0) come back white, like glass.
    /// </summary>
    public RgbImage ReadRegion(long x, long y, int level, int width, int height)
    {
        var image = new RgbImage(width, height);
        ReadRegion(x, y, level, width, height, image.Pixels);
        return image;
    }

    /// <summary>As <see cref="ReadRegion(long,long,int,int,int)"/>, into a caller's buffer of width*height*3 bytes.</summary>
    public void ReadRegion(long x, long y, int level, int width, int height, Span<byte> rgb) =>
        ReadRegion(x, y, level, width, height, rgb, ReadLocality.Neighbours);

    /// <summary>
    /// As <see cref="ReadRegion(long,long,int,int,int,Span{byte})"/>, saying whether neighbouring reads follow: an
    /// <see cref="ReadLocality.Isolated"/> read decodes only the parts of JPEG tiles it covers. The pixels are the same.
    /// </summary>
    public unsafe void ReadRegion(long x, long y, int level, int width, int height, Span<byte> rgb, ReadLocality locality)
    {
        ValidateLevel(level);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var count = checked(width * height);
        if (rgb.Length < count * 3)
            throw new ArgumentException($"buffer of {rgb.Length} bytes is too small for {width}x{height} RGB", nameof(rgb));
        if (count == 0) return;
        if (_tiles is not null && _tiles.TryRead(x, y, level, width, height, rgb, locality)) return;

        var argb = (uint*)NativeMemory.Alloc((nuint)count, sizeof(uint));
        try
        {
            OpenSlideNative.ReadRegion(_handle, argb, x, y, level, width, height);
            ThrowIfError($"reading {width}x{height} at ({x},{y}) level {level}");
            ArgbConversion.ToRgb(new ReadOnlySpan<uint>(argb, count), rgb);
        }
        finally
        {
            NativeMemory.Free(argb);
        }
    }

    /// <summary>Reads an associated image (label, macro, thumbnail) by name.</summary>
    public unsafe RgbImage ReadAssociatedImage(string name)
    {
        var info = AssociatedImages.FirstOrDefault(a => a.Name == name)
            ?? throw new SlideException(Path, $"has no associated image '{name}' (it has: {string.Join(", ", AssociatedImages.Select(a => a.Name))})");
        var count = checked((int)(info.Width * info.Height));
        var argb = new uint[count];
        fixed (uint* p = argb)
        {
            OpenSlideNative.ReadAssociatedImage(_handle, name, p);
        }
        ThrowIfError($"reading associated image '{name}'");
        var image = new RgbImage((int)info.Width, (int)info.Height);
        ArgbConversion.ToRgb(argb, image.Pixels);
        return image;
    }

    public void Dispose()
    {
        _tiles?.Dispose();
        _handle.Dispose();
    }

    private void ValidateLevel(int level)
    {
        if (level < 0 || level >= Levels.Count)
            throw new SlideException(Path, $"has no level {level} (it has {Levels.Count})");
    }

    private void ThrowIfError(string doing)
    {
        var error = ErrorOf(_handle);
        if (error is not null) throw new SlideException(Path, $"{doing}: {error}");
    }

    private static string? ErrorOf(OpenSlideHandle handle)
    {
        var error = OpenSlideNative.GetError(handle);
        return error == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(error);
    }

    private Dictionary<string, string> ReadProperties()
    {
        var names = OpenSlideNative.ReadStringArray(OpenSlideNative.GetPropertyNames(_handle));
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var value = OpenSlideNative.GetPropertyValue(_handle, name);
            properties[name] = Marshal.PtrToStringUTF8(value) ?? string.Empty;
        }
        ThrowIfError("reading properties");
        return properties;
    }

    private List<SlideLevel> ReadLevels()
    {
        var count = OpenSlideNative.GetLevelCount(_handle);
        ThrowIfError("reading the level count");
        if (count < 1) throw new SlideException(Path, "has no pyramid levels");
        var levels = new List<SlideLevel>(count);
        for (var i = 0; i < count; i++)
        {
            OpenSlideNative.GetLevelDimensions(_handle, i, out var w, out var h);
            levels.Add(new SlideLevel(i, w, h, OpenSlideNative.GetLevelDownsample(_handle, i)));
        }
        ThrowIfError("reading level dimensions");
        return levels;
    }

    private List<AssociatedImageInfo> ReadAssociatedImageInfos()
    {
        var names = OpenSlideNative.ReadStringArray(OpenSlideNative.GetAssociatedImageNames(_handle));
        var infos = new List<AssociatedImageInfo>(names.Count);
        foreach (var name in names)
        {
            OpenSlideNative.GetAssociatedImageDimensions(_handle, name, out var w, out var h);
            infos.Add(new AssociatedImageInfo(name, w, h));
        }
        ThrowIfError("reading associated image names");
        return infos;
    }

    /// <summary>openslide.mpp-* first; else the TIFF resolution tags (generic TIFF reports no mpp); else unknown.</summary>
    internal static MicronsPerPixel? ResolveMicronsPerPixel(IReadOnlyDictionary<string, string> properties)
    {
        if (TryPositive(properties, "openslide.mpp-x", out var mppX) && TryPositive(properties, "openslide.mpp-y", out var mppY))
            return new MicronsPerPixel(mppX, mppY, ResolutionSource.OpenSlide);

        if (!TryPositive(properties, "tiff.XResolution", out var xres) || !TryPositive(properties, "tiff.YResolution", out var yres))
            return null;
        double micronsPerUnit = properties.GetValueOrDefault("tiff.ResolutionUnit") switch
        {
            "centimeter" => 10_000,
            "inch" => 25_400,
            _ => 0, // "none" or absent: the tags give an aspect ratio, not a physical size.
        };
        return micronsPerUnit == 0 ? null : new MicronsPerPixel(micronsPerUnit / xres, micronsPerUnit / yres, ResolutionSource.TiffTags);
    }

    private static bool TryPositive(IReadOnlyDictionary<string, string> properties, string key, out double value)
    {
        value = 0;
        return properties.TryGetValue(key, out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && value > 0 && double.IsFinite(value);
    }
}
