namespace OrleansPathology.Synthesis;

/// <summary>
/// Paints one level-0 tile of a synthetic H&amp;E lymph node in three passes over stain amounts, then maps them to RGB:
/// ground (glass, fibrous stroma or tumour cytoplasm, with grain), nuclei stamped from jittered grids, palette.
/// Everything is looked up from the slide's outlines, hashed grid cells and shared tables by absolute level-0
/// coordinates, so a tile is the same whichever worker renders it and whenever; a nucleus that straddles a tile
/// border is drawn by both tiles alike. One instance per worker: it owns scratch buffers.
/// </summary>
internal sealed unsafe class HeTileRenderer(SlideTexture texture) : ITileRenderer
{
    // Slow fields (density, fibre bundles) are evaluated per 16x16 block, as they change over hundreds of pixels;
    // the fibre warp is interpolated from the same 16-pixel lattice.
    private const int BlockShift = NoiseTables.WarpShift;
    private const int BlockSize = 1 << BlockShift;

    private readonly NoiseTables _tables = NoiseTables.Shared;
    private readonly NucleusBank _bank = NucleusBank.Shared;
    private byte[] _tissue = [];
    private byte[] _tumour = [];
    private byte[] _h = [];
    private byte[] _e = [];
    private int _size;
    private readonly List<(long X, long Y, ulong Hash)> _centres = [];

    /// <summary>Margin around the tile in which nucleus centres are looked for and the masks are filled.</summary>
    private int Margin => _bank.MaxRadius;

    public void Render(long x0, long y0, int size, Span<byte> rgb)
    {
        if (size % BlockSize != 0 || x0 % BlockSize != 0 || y0 % BlockSize != 0)
            throw new ArgumentException($"tile {size} px at ({x0},{y0}) is not aligned to the {BlockSize}-pixel lattice the fields are sampled on");
        Allocate(size);
        var window = size + 2 * Margin;
        var windowX = x0 - Margin;
        var windowY = y0 - Margin;
        var area = window * window;

        // The tissue raster's foreground class is named "tumour" by the rasteriser: here it means tissue.
        var hasTissue = texture.Tissue.MayContainTumour(windowX, windowY, window, window);
        if (hasTissue)
        {
            texture.Tissue.FillWindow(windowX, windowY, window, window, _tissue);
            hasTissue = _tissue.AsSpan(0, area).ContainsAnyExcept((byte)0);
        }
        var hasTumour = false;
        if (hasTissue && texture.Tumour is { } tumour && tumour.MayContainTumour(windowX, windowY, window, window))
        {
            tumour.FillWindow(windowX, windowY, window, window, _tumour);
            hasTumour = _tumour.AsSpan(0, area).ContainsAnyExcept((byte)0);
        }
        if (!hasTumour) _tumour.AsSpan(0, area).Clear();

        if (hasTissue)
        {
            PaintGround(x0, y0, size);
            PaintNormalNuclei(x0, y0, size);
            if (hasTumour) PaintTumourNuclei(x0, y0, size);
        }
        else
        {
            PaintGlass(x0, y0, size);
        }
        MapToRgb(size, rgb);
    }

    private void Allocate(int size)
    {
        if (_size == size) return;
        var window = size + 2 * Margin;
        _tissue = new byte[window * window];
        _tumour = new byte[window * window];
        _h = new byte[size * size];
        _e = new byte[size * size];
        _size = size;
    }

    private void PaintGlass(long x0, long y0, int size)
    {
        var grain = _tables.Grain;
        const int mask = NoiseTables.GrainSize - 1;
        var (gx, gy) = texture.GrainOffset;
        for (var y = 0; y < size; y++)
        {
            var grainRow = (int)((y0 + y + gy) & mask) * NoiseTables.GrainSize;
            for (var x = 0; x < size; x++)
            {
                int g = grain[grainRow + (int)((x0 + x + gx) & mask)];
                _h[y * size + x] = (byte)Math.Max(0, TissueStyle.GlassHaematoxylin + (g >> 2));
                _e[y * size + x] = (byte)Math.Max(0, TissueStyle.GlassEosin + (g >> 2));
            }
        }
    }

    private void PaintGround(long x0, long y0, int size)
    {
        var blocks = size >> BlockShift;
        Span<int> groundEosin = stackalloc int[blocks * blocks];
        Span<int> fibreEosin = stackalloc int[blocks * blocks];
        for (var by = 0; by < blocks; by++)
        for (var bx = 0; bx < blocks; bx++)
        {
            var (cx, cy) = (x0 + bx * BlockSize + BlockSize / 2, y0 + by * BlockSize + BlockSize / 2);
            var density = Density(cx, cy);
            // Fibres come and go in bundles: their strength follows a second, finer field.
            var bundles = 0.35 + 0.9 * ValueNoise.At(texture.FibreKey, cx, cy, TissueStyle.BundleSpacing);
            groundEosin[by * blocks + bx] = (int)Math.Round(TissueStyle.LooseGroundEosin + (TissueStyle.DenseGroundEosin - TissueStyle.LooseGroundEosin) * density);
            fibreEosin[by * blocks + bx] = (int)Math.Round(bundles * (TissueStyle.LooseFibreEosin + (TissueStyle.DenseFibreEosin - TissueStyle.LooseFibreEosin) * density));
        }

        // The warp that bends fibres, on the 16-pixel lattice, 8 fractional bits; interpolated per pixel below
        // so that fibres curve smoothly instead of stepping at lattice lines.
        const int warpMask = NoiseTables.WarpSize - 1;
        var (wx, wy) = texture.WarpOffset;
        var lattice = blocks + 1;
        Span<int> warpLattice = stackalloc int[lattice * lattice];
        for (var j = 0; j < lattice; j++)
        for (var i = 0; i < lattice; i++)
        {
            var gx = ((x0 >> BlockShift) + i + wx) & warpMask;
            var gy = ((y0 >> BlockShift) + j + wy) & warpMask;
            warpLattice[j * lattice + i] = _tables.Warp[gy * NoiseTables.WarpSize + gx] << 8;
        }
        Span<int> warpRow = stackalloc int[lattice];

        const int grainMask = NoiseTables.GrainSize - 1;
        const int fibreMask = NoiseTables.FibreSize - 1;
        var (gx0, gy0) = texture.GrainOffset;
        var (fx, fy) = texture.FibreOffset;
        // Fibre-table coordinates are level-0 coordinates rotated by the fibre angle, in 16.16 fixed point.
        var (sin, cos) = Math.SinCos(texture.FibreAngle);
        var c = (long)Math.Round(cos * 65536);
        var s = (long)Math.Round(sin * 65536);
        var window = size + 2 * Margin;

        fixed (sbyte* grain = _tables.Grain)
        fixed (byte* fibre = _tables.Fibre)
        fixed (byte* tissue = _tissue, tumour = _tumour, hOut = _h, eOut = _e)
        {
            for (var y = 0; y < size; y++)
            {
                var Y = y0 + y;
                var grainRow = grain + ((Y + gy0) & grainMask) * NoiseTables.GrainSize;
                var maskRow = (y + Margin) * window + Margin;
                var blockRow = (y >> BlockShift) * blocks;
                var ly = y >> BlockShift;
                var ty = y & (BlockSize - 1);
                for (var i = 0; i < lattice; i++)
                    warpRow[i] = (warpLattice[ly * lattice + i] * (BlockSize - ty) + warpLattice[Math.Min(ly + 1, blocks) * lattice + i] * ty) >> BlockShift;
                for (var x = 0; x < size; x++)
                {
                    var X = x0 + x;
                    int g = grainRow[(X + gx0) & grainMask];
                    int h, e;
                    if (tissue[maskRow + x] == 0)
                    {
                        h = TissueStyle.GlassHaematoxylin + (g >> 2);
                        e = TissueStyle.GlassEosin + (g >> 2);
                    }
                    else if (tumour[maskRow + x] != 0)
                    {
                        h = TissueStyle.TumourCytoplasmHaematoxylin + (g >> 1);
                        e = TissueStyle.TumourCytoplasmEosin + (g >> 1);
                    }
                    else
                    {
                        var lx = x >> BlockShift;
                        var tx = x & (BlockSize - 1);
                        var warp = (warpRow[lx] * (BlockSize - tx) + warpRow[lx + 1] * tx) >> (BlockShift + 8);
                        var u = (X * c + Y * s) >> 16;
                        var v = ((Y * c - X * s) >> 16) + warp;
                        int f = fibre[((v + fy) & fibreMask) * NoiseTables.FibreSize + ((u + fx) & fibreMask)];
                        var block = blockRow + lx;
                        h = TissueStyle.GroundHaematoxylin + (g >> 2);
                        e = groundEosin[block] + ((f * fibreEosin[block]) >> 8) + (g >> 1);
                    }
                    hOut[y * size + x] = (byte)Math.Clamp(h, 0, 255);
                    eOut[y * size + x] = (byte)Math.Clamp(e, 0, 255);
                }
            }
        }
    }

    private void PaintNormalNuclei(long x0, long y0, int size)
    {
        const int cell = TissueStyle.NormalCell;
        var window = size + 2 * Margin;
        var fibreBucket = (int)Math.Round(texture.FibreAngle / Math.PI * NucleusBank.StromalAngles);
        foreach (var (cx, cy, hash) in Centres(x0, y0, size, cell, texture.NucleusKey))
        {
            var at = (int)(cy - y0 + Margin) * window + (int)(cx - x0 + Margin);
            if (_tissue[at] == 0 || _tumour[at] != 0) continue;
            var density = Density(cx, cy);
            var occupancy = TissueStyle.LooseOccupancy + (TissueStyle.DenseOccupancy - TissueStyle.LooseOccupancy) * density;
            if (Unit(hash, 16) >= occupancy) continue;

            var kind = Unit(hash, 32);
            var lymphocyteShare = 0.25 + 0.72 * density;
            var variant = (int)(hash >> 48);
            NucleusStamp stamp;
            if (kind < lymphocyteShare)
            {
                stamp = _bank.Lymphocytes[variant % _bank.Lymphocytes.Length];
            }
            else if (kind < lymphocyteShare + (1 - lymphocyteShare) * 0.65)
            {
                // Fibroblasts lie along the fibres, give or take one orientation step.
                var bucket = (fibreBucket + (variant & 3) - 1 + NucleusBank.StromalAngles) % NucleusBank.StromalAngles;
                var set = _bank.Stromal[bucket];
                stamp = set[(variant >> 2) % set.Length];
            }
            else
            {
                stamp = _bank.Histiocytes[variant % _bank.Histiocytes.Length];
            }
            Stamp(stamp, (int)(cx - x0), (int)(cy - y0), size);
        }
    }

    private void PaintTumourNuclei(long x0, long y0, int size)
    {
        var window = size + 2 * Margin;
        foreach (var (cx, cy, hash) in Centres(x0, y0, size, TissueStyle.TumourCell, texture.TumourKey))
        {
            var at = (int)(cy - y0 + Margin) * window + (int)(cx - x0 + Margin);
            if (_tumour[at] == 0) continue;
            if (Unit(hash, 16) >= TissueStyle.TumourOccupancy) continue;
            Stamp(_bank.Tumour[(int)(hash >> 48) % _bank.Tumour.Length], (int)(cx - x0), (int)(cy - y0), size);
        }
    }

    /// <summary>
    /// Nucleus centres of a jittered grid with pitch <paramref name="cell"/> that lie in the tile or its margin,
    /// in global row-major cell order (so overlapping nuclei composite the same way in every tile).
    /// </summary>
    private List<(long X, long Y, ulong Hash)> Centres(long x0, long y0, int size, int cell, ulong key)
    {
        var result = _centres;
        result.Clear();
        var left = x0 - Margin;
        var top = y0 - Margin;
        var right = x0 + size + Margin; // exclusive
        var bottom = y0 + size + Margin;
        var jitter = cell - 6;
        for (var j = Math.DivRem(top, cell).Quotient - 1; j * cell <= bottom; j++)
        for (var i = Math.DivRem(left, cell).Quotient - 1; i * cell <= right; i++)
        {
            var hash = SplitMix64.Hash(key, i, j);
            var cx = i * cell + cell / 2 + (long)((hash & 0xFF) * (ulong)jitter >> 8) - jitter / 2;
            var cy = j * cell + cell / 2 + (long)((hash >> 8 & 0xFF) * (ulong)jitter >> 8) - jitter / 2;
            if (cx < left || cx >= right || cy < top || cy >= bottom) continue;
            result.Add((cx, cy, hash));
        }
        return result;
    }

    /// <summary>Composites a stamp centred at tile pixel (cx, cy) over the stain amounts, on tissue only.</summary>
    private void Stamp(NucleusStamp stamp, int cx, int cy, int size)
    {
        var half = stamp.Size / 2;
        var sx0 = Math.Max(0, half - cx);
        var sy0 = Math.Max(0, half - cy);
        var sx1 = Math.Min(stamp.Size, size - cx + half);
        var sy1 = Math.Min(stamp.Size, size - cy + half);
        if (sx0 >= sx1 || sy0 >= sy1) return;
        var window = size + 2 * Margin;
        fixed (byte* alpha = stamp.Alpha, sh = stamp.Haematoxylin, se = stamp.Eosin)
        fixed (byte* tissue = _tissue, h = _h, e = _e)
        {
            for (var sy = sy0; sy < sy1; sy++)
            {
                var ty = cy - half + sy;
                var stampRow = sy * stamp.Size;
                var tileRow = ty * size + cx - half;
                var maskRow = (ty + Margin) * window + Margin + cx - half;
                for (var sx = sx0; sx < sx1; sx++)
                {
                    int a = alpha[stampRow + sx];
                    if (a == 0 || tissue[maskRow + sx] == 0) continue;
                    var t = tileRow + sx;
                    h[t] = (byte)(h[t] + (((sh[stampRow + sx] - h[t]) * a + 128) >> 8));
                    e[t] = (byte)(e[t] + (((se[stampRow + sx] - e[t]) * a + 128) >> 8));
                }
            }
        }
    }

    private void MapToRgb(int size, Span<byte> rgb)
    {
        var table = texture.Palette.Table;
        fixed (byte* lut = table, h = _h, e = _e, output = rgb)
        {
            var count = size * size;
            for (var i = 0; i < count; i++)
            {
                var entry = lut + (h[i] << 8 | e[i]) * 3;
                output[i * 3] = entry[0];
                output[i * 3 + 1] = entry[1];
                output[i * 3 + 2] = entry[2];
            }
        }
    }

    private double Density(long x, long y) => TissueStyle.Density(ValueNoise.Fractal(texture.DensityKey, x, y, TissueStyle.DensitySpacing));

    private static double Unit(ulong hash, int shift) => ((hash >> shift) & 0xFFFF) / 65536.0;
}
