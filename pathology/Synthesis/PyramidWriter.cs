using System.Collections.Concurrent;
using OrleansPathology.Imaging;

namespace OrleansPathology.Synthesis;

/// <summary>
/// Streams a tiled pyramid into a <see cref="BigTiffWriter"/> with memory that does not grow with slide height:
/// level 0 is rendered one tile row at a time and never held whole; each tile is halved into a one-tile-row
/// strip of level 1 as soon as it is made, and a level's strip is encoded and halved into the next level's
/// strip when its tile row is complete. Peak memory grows with the slide's width, never its height: the strips
/// of levels 1.. sum to about width * 256 * 3 bytes (77 MB for a 100000-pixel-wide slide), plus one row of JPEG
/// streams and a tile per worker.
/// Tiles are made in parallel but written in a fixed order (tile row by tile row, each level's row as it
/// completes), so the file is the same bytes whatever the thread count.
/// </summary>
internal sealed class PyramidWriter
{
    private const byte PadValue = 255; // beyond-the-edge padding in strips: white, like glass

    private readonly BigTiffWriter _tiff;
    private readonly IReadOnlyList<PyramidLevel> _levels;
    private readonly PyramidWriterOptions _options;
    private readonly ITileSource _source;
    private readonly Action<PyramidLevel, int, ReadOnlyMemory<byte>, int>? _onStrip;
    private readonly byte[][] _strips;            // [level] one tile row of that level; [0] unused
    private readonly long[][] _offsets;
    private readonly long[][] _counts;
    private readonly ConcurrentBag<Worker> _workers;
    private readonly EncodedRow _row;
    private readonly ParallelOptions _parallel;

    private PyramidWriter(BigTiffWriter tiff, long width, long height, ITileSource source, PyramidWriterOptions options,
        Action<PyramidLevel, int, ReadOnlyMemory<byte>, int>? onStrip, ConcurrentBag<Worker> workers)
    {
        _tiff = tiff;
        _workers = workers;
        _options = options;
        _source = source;
        _onStrip = onStrip;
        _levels = PyramidLevel.For(width, height, options.TileSize, options.MaxDownsample);
        _strips = new byte[_levels.Count][];
        for (var k = 1; k < _levels.Count; k++)
        {
            _strips[k] = new byte[StripPitch(k) * options.TileSize];
            Array.Fill(_strips[k], PadValue);
        }
        _offsets = _levels.Select(l => new long[l.TileCount]).ToArray();
        _counts = _levels.Select(l => new long[l.TileCount]).ToArray();
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) };
        // ~48 KB a tile is a busy tissue tile at quality 85; glass tiles are a few KB. Grows if a row needs more.
        _row = new EncodedRow(_levels[0].TilesAcross * 48 * 1024);
    }

    /// <summary>
    /// Writes a <paramref name="width"/>x<paramref name="height"/> slide to <paramref name="path"/>.
    /// <paramref name="onStrip"/>, if given, sees every completed tile row of every level above level 0
    /// (level, tile row, RGB strip, pitch in bytes) before it is reused: how thumbnails are taken without a second pass.
    /// <paramref name="progress"/> gets the share of level-0 tile rows done.
    /// </summary>
    public static void Write(string path, long width, long height, ITileSource source, PyramidWriterOptions options,
        Action<PyramidLevel, int, ReadOnlyMemory<byte>, int>? onStrip = null, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (options.TileSize % 16 != 0) throw new ArgumentException($"tile size {options.TileSize} is not a multiple of 16 (TIFF 6.0 section 15)", nameof(options));
        // One worker made here, not inside Parallel.For: a missing libturbojpeg then surfaces as its own
        // exception rather than wrapped in an AggregateException, and before the file is created.
        var workers = new ConcurrentBag<Worker> { new(options.TileSize, options.JpegQuality, options.JpegSubsampling) };
        // Written beside the target and renamed when complete: an interrupted run leaves no truncated slide
        // that a later step would take for a real one.
        var partial = path + ".partial";
        try
        {
            using (var tiff = new BigTiffWriter(partial))
            {
                new PyramidWriter(tiff, width, height, source, options, onStrip, workers).Run(progress, cancellationToken);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
            File.Delete(partial);
        }
    }

    private int StripPitch(int level) => _levels[level].TilesAcross * _options.TileSize * 3;

    private void Run(IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var level0 = _levels[0];
        var size = _options.TileSize;
        var half = size / 2;
        _parallel.CancellationToken = cancellationToken;
        for (var row = 0; row < level0.TilesDown; row++)
        {
            var r = row;
            _row.Reset(level0.TilesAcross);
            Parallel.For(0, level0.TilesAcross, _parallel, RentWorker, (tx, _, worker) =>
            {
                worker.Renderer ??= _source.CreateRenderer();
                worker.Renderer.Render((long)tx * size, (long)r * size, size, worker.Tile);
                _row.Store(tx, worker.Encoder.EncodeRgb(worker.Tile, size, size, size * 3));
                if (_levels.Count > 1)
                {
                    var target = _strips[1].AsSpan((r & 1) * half * StripPitch(1) + tx * half * 3);
                    Downsampler.Halve(worker.Tile, size * 3, size, size, target, StripPitch(1));
                }
                return worker;
            }, _workers.Add);
            WriteRow(0, row);
            if (_levels.Count > 1 && ((row & 1) == 1 || row == level0.TilesDown - 1)) Flush(1, row >> 1);
            progress?.Report((row + 1.0) / level0.TilesDown);
        }

        _tiff.Finish(_levels.Select(l => new TiffDirectory(
            l.Width, l.Height, size, _offsets[l.Index], _counts[l.Index],
            IsReducedResolution: l.Index > 0,
            _options.PixelsPerCentimetre / l.Downsample,
            l.Index == 0 ? _options.Description : null)).ToList());
    }

    /// <summary>Encodes level <paramref name="k"/>'s completed tile row <paramref name="row"/>, halves it into level k+1, and cascades.</summary>
    private void Flush(int k, int row)
    {
        var level = _levels[k];
        var size = _options.TileSize;
        var half = size / 2;
        var pitch = StripPitch(k);
        var strip = _strips[k];
        _onStrip?.Invoke(level, row, strip, pitch);

        _row.Reset(level.TilesAcross);
        var hasNext = k + 1 < _levels.Count;
        Parallel.For(0, level.TilesAcross, _parallel, RentWorker, (tx, _, worker) =>
        {
            var tile = strip.AsSpan(tx * size * 3);
            _row.Store(tx, worker.Encoder.EncodeRgb(tile, size, size, pitch));
            if (hasNext)
            {
                var target = _strips[k + 1].AsSpan((row & 1) * half * StripPitch(k + 1) + tx * half * 3);
                Downsampler.Halve(tile, pitch, size, size, target, StripPitch(k + 1));
            }
            return worker;
        }, _workers.Add);
        WriteRow(k, row);
        Array.Fill(strip, PadValue);
        if (hasNext && ((row & 1) == 1 || row == level.TilesDown - 1)) Flush(k + 1, row >> 1);
    }

    private void WriteRow(int k, int row)
    {
        var across = _levels[k].TilesAcross;
        for (var tx = 0; tx < across; tx++)
        {
            var index = row * across + tx;
            var jpeg = _row[tx];
            _offsets[k][index] = _tiff.Append(jpeg);
            _counts[k][index] = jpeg.Length;
        }
    }

    private Worker RentWorker() => _workers.TryTake(out var worker) ? worker : new Worker(_options.TileSize, _options.JpegQuality, _options.JpegSubsampling);

    /// <summary>A thread's scratch: its renderer, JPEG encoder and tile buffer, reused across rows.</summary>
    private sealed class Worker(int size, int quality, int subsampling) : IDisposable
    {
        public TurboJpegEncoder Encoder { get; } = new(size, size, quality, subsampling);
        public byte[] Tile { get; } = new byte[size * size * 3];
        public ITileRenderer? Renderer { get; set; }

        public void Dispose()
        {
            Encoder.Dispose();
            (Renderer as IDisposable)?.Dispose();
        }
    }
}
