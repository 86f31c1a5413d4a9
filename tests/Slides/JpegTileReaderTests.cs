using OrleansPathology.Slides;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Slides;

/// <summary>
/// The libjpeg-turbo tile path against OpenSlide's own read_region, byte for byte: on the real JPEG Aperio
/// slides of shared/data (RGB tiles behind shared JPEGTables) and on synthetic BigTIFF pyramids (YCbCr tiles
/// at 4:4:4, 4:2:2 and 4:2:0, edge tiles, every level), at random places including off the slide.
/// </summary>
public sealed class JpegTileReaderTests
{
    [Theory]
    [InlineData("CMU-1-Small-Region.svs")]
    [InlineData("small.svs")]
    public void AperioJpegSlide_ReadsExactlyAsOpenSlide(string name)
    {
        var path = TestData.Slide(name);
        using var fast = Slide.Open(path, new SlideReadOptions { TileCacheBytes = 2L << 20, DecodeThreads = 2 });
        using var reference = Slide.Open(path, SlideReadOptions.OpenSlideOnly);

        Assert.StartsWith("libjpeg-turbo levels 0", fast.PixelReader);
        var reads = AssertRandomReadsEqual(fast, reference, seed: 1, readsPerLevel: 60);
        Assert.Equal((reads, 0L), fast.FastReads);
        Assert.True(fast.TilePartsDecoded > 0, "isolated reads decoded no tile in part");
    }

    [Theory]
    [InlineData("TCGA-CR-7395-01A-01-TS1.svs", "compression 33005")]
    [InlineData("boxes.tiff", "compression 8")]
    public void SlideTheFastPathCannotRead_IsReadByOpenSlide(string name, string reason)
    {
        using var slide = Slide.Open(TestData.Slide(name));
        using var reference = Slide.Open(TestData.Slide(name), SlideReadOptions.OpenSlideOnly);

        Assert.StartsWith("openslide", slide.PixelReader);
        Assert.Contains(reason, slide.PixelReader);
        AssertRandomReadsEqual(slide, reference, seed: 2, readsPerLevel: 5);
        Assert.Equal((0L, 0L), slide.FastReads);
    }

    [Theory]
    [InlineData(0, 256)] // 4:4:4
    [InlineData(1, 240)] // 4:2:2, tiles that do not divide the slide
    [InlineData(2, 256)] // 4:2:0, as scanners and opath synthesise write
    public void SyntheticPyramid_EveryLevelReadsExactlyAsOpenSlide(int subsampling, int tileSize)
    {
        var dir = TestData.NewTempDir("opath-jpegtiles");
        try
        {
            var path = Path.Combine(dir, "pattern.tiff");
            PyramidWriter.Write(path, 1500, 1100, new PatternSource(), new PyramidWriterOptions
            {
                TileSize = tileSize, MaxDownsample = 8, PixelsPerCentimetre = 40_000, JpegSubsampling = subsampling, Parallelism = 1,
            });
            using var fast = Slide.Open(path, new SlideReadOptions { TileCacheBytes = 3L * tileSize * tileSize * 3, DecodeThreads = 3 });
            using var reference = Slide.Open(path, SlideReadOptions.OpenSlideOnly);
            Assert.Equal("generic-tiff", fast.Vendor);
            Assert.True(fast.Levels.Count >= 3);
            Assert.StartsWith("libjpeg-turbo levels " + string.Join(",", Enumerable.Range(0, fast.Levels.Count)), fast.PixelReader);

            var reads = AssertRandomReadsEqual(fast, reference, seed: 3 + subsampling, readsPerLevel: 40);
            Assert.Equal((reads, 0L), fast.FastReads);
            Assert.True(fast.TilePartsDecoded > 0, "isolated reads decoded no tile in part");

            // Level-0 positions between a level's pixels: OpenSlide interpolates, so the fast path declines them.
            var expected = reference.ReadRegion(3, 5, 1, 64, 48).Pixels;
            Assert.Equal(expected, fast.ReadRegion(3, 5, 1, 64, 48).Pixels);
            Assert.Equal(1L, fast.FastReads.Declined);

            // Many threads reading one slide at once through a cache of three tiles.
            Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                var x = i * 37 - 50;
                var y = i * 29 - 40;
                Assert.Equal(reference.ReadRegion(x, y, 0, 300, 200).Pixels, fast.ReadRegion(x, y, 0, 300, 200).Pixels);
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NeighbouringRegions_DecodeEachTileOnce_AndReadExactlyAsOpenSlide()
    {
        // Dense regions overlap their neighbours by twice the context margin plus a window less a stride (352 px):
        // a tile of that overlap is decoded once, the inner tiles of the region read first included.
        var path = TestData.Slide("CMU-1-Small-Region.svs");
        using var reference = Slide.Open(path, SlideReadOptions.OpenSlideOnly);
        using var reader = JpegTileReader.TryOpen(path, reference.Vendor, reference.Levels, SlideReadOptions.Default, out _)!;
        var (tw, th) = (reader.ImageOf(0)!.TileWidth, reader.ImageOf(0)!.TileHeight);
        const int side = 1200, overlap = 352;
        (long X, long Y)[] regions = [(0, 0), (side - overlap, 0), (0, side - overlap), (side - overlap, side - overlap)];
        var touched = regions
            .SelectMany(r => from ty in Enumerable.Range((int)(r.Y / th), (int)((r.Y + side - 1) / th - r.Y / th + 1))
                             from tx in Enumerable.Range((int)(r.X / tw), (int)((r.X + side - 1) / tw - r.X / tw + 1))
                             select (tx, ty))
            .Distinct().Count();

        long Decoded(int sharedEdge)
        {
            using var fast = Slide.Open(path, new SlideReadOptions { DecodeThreads = 2, SharedEdgePixels = sharedEdge });
            foreach (var (x, y) in regions)
                Assert.Equal(reference.ReadRegion(x, y, 0, side, side).Pixels, fast.ReadRegion(x, y, 0, side, side).Pixels);
            return fast.TilesDecoded;
        }

        Assert.Equal(touched, Decoded(sharedEdge: 352));
        Assert.True(Decoded(sharedEdge: 0) > touched, "without a shared edge the first region's inner tiles are decoded again");
    }

    [Fact]
    public void IsolatedWindows_DecodeOnlyTheirPartsOfTiles_AndReadExactlyAsOpenSlide()
    {
        // Random 224 px training windows: with neighbours each partly covered tile is decoded whole (and cached); an
        // isolated read decodes only what it covers, so no tile is decoded whole unless the window holds all of it.
        Assert.True(JpegPartDecoder.Available, JpegPartDecoder.Unavailable);
        var path = TestData.Slide("CMU-1-Small-Region.svs");
        using var reference = Slide.Open(path, SlideReadOptions.OpenSlideOnly);
        using var neighbours = Slide.Open(path, new SlideReadOptions { DecodeThreads = 1 });
        using var isolated = Slide.Open(path, new SlideReadOptions { DecodeThreads = 1 });
        Assert.Contains("partial tiles for isolated reads", isolated.PixelReader);
        var random = new Random(7);
        var (width, height) = isolated.Dimensions;
        for (var i = 0; i < 40; i++)
        {
            var (x, y) = (random.NextInt64(0, width - 224), random.NextInt64(0, height - 224));
            var expected = reference.ReadRegion(x, y, 0, 224, 224).Pixels;
            var window = new byte[224 * 224 * 3];
            isolated.ReadRegion(x, y, 0, 224, 224, window, ReadLocality.Isolated);
            Assert.Equal(expected, window);
            neighbours.ReadRegion(x, y, 0, 224, 224, window);
            Assert.Equal(expected, window);
        }
        Assert.Equal(0L, isolated.TilesDecoded);
        Assert.True(isolated.TilePartsDecoded >= 40, $"{isolated.TilePartsDecoded} parts decoded for 40 windows");
        Assert.True(neighbours.TilesDecoded > 0);
        Assert.Equal(0L, neighbours.TilePartsDecoded);
    }

    [Fact]
    public void OpenSlideOnlyOption_AndEnvironmentSwitch_TurnTheFastPathOff()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"), SlideReadOptions.OpenSlideOnly);
        Assert.Equal("openslide (fast path off)", slide.PixelReader);
        slide.ReadRegion(0, 0, 0, 64, 64);
        Assert.Equal((0L, 0L), slide.FastReads);
    }

    // Random regions at every level: whole-pixel level positions, sizes from 1 to 700, some off the slide; each read
    // twice, as an isolated read (tiles covered in part decoded in part) and as one with neighbours (decoded whole, cached).
    private static long AssertRandomReadsEqual(Slide fast, Slide reference, int seed, int readsPerLevel)
    {
        var random = new Random(seed);
        long reads = 0;
        foreach (var level in fast.Levels)
        {
            var ds = (long)Math.Round(level.Downsample);
            var cases = new List<(long X, long Y, int W, int H)> { (0, 0, (int)level.Width, (int)level.Height) };
            for (var i = 0; i < readsPerLevel; i++)
            {
                var w = random.Next(1, 700);
                var h = random.Next(1, 700);
                var x = random.NextInt64(-w / 2, level.Width + 10);
                var y = random.NextInt64(-h / 2, level.Height + 10);
                cases.Add((x, y, w, h));
            }
            foreach (var (x, y, w, h) in cases)
            {
                if (level.Downsample != ds) continue; // generic TIFF levels are whole powers of two here; skip others
                var expected = reference.ReadRegion(x * ds, y * ds, level.Index, w, h).Pixels;
                foreach (var locality in new[] { ReadLocality.Isolated, ReadLocality.Neighbours })
                {
                    var actual = new byte[w * h * 3];
                    fast.ReadRegion(x * ds, y * ds, level.Index, w, h, actual, locality);
                    if (!expected.AsSpan().SequenceEqual(actual))
                    {
                        var first = expected.AsSpan().CommonPrefixLength(actual);
                        Assert.Fail($"level {level.Index} {locality} read {w}x{h} at level ({x},{y}) differs from OpenSlide first at byte {first} " +
                            $"(pixel {first / 3 % w},{first / 3 / w}): {expected[first]} vs {actual[first]}");
                    }
                    reads++;
                }
            }
        }
        return reads;
    }

    /// <summary>Smooth colour ramps under per-pixel hashed noise: JPEG keeps detail, and chroma varies at every scale.</summary>
    private sealed class PatternSource : ITileSource
    {
        public ITileRenderer CreateRenderer() => new Renderer();

        private sealed class Renderer : ITileRenderer
        {
            public void Render(long x0, long y0, int size, Span<byte> rgb)
            {
                for (var y = 0; y < size; y++)
                {
                    for (var x = 0; x < size; x++)
                    {
                        var gx = x0 + x;
                        var gy = y0 + y;
                        var hash = (uint)((gx * 73856093) ^ (gy * 19349663));
                        hash ^= hash >> 13;
                        hash *= 0x5bd1e995;
                        var o = (y * size + x) * 3;
                        rgb[o] = (byte)((gx / 3 + (hash & 31)) & 255);
                        rgb[o + 1] = (byte)((gy / 2 + ((hash >> 8) & 63)) & 255);
                        rgb[o + 2] = (byte)(((gx + gy) / 5 + ((hash >> 16) & 15)) & 255);
                    }
                }
            }
        }
    }
}
