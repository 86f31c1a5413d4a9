using System.Threading.Channels;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Inference;

/// <summary>
/// Scores one slide in-process: plans tile batches over the tissue, reads them on
/// <see cref="InferenceOptions.Readers"/> threads into a bounded queue, and computes them on one
/// <see cref="BatchComputer"/>, so reading and compute overlap while at most
/// <see cref="InferenceOptions.Prefetch"/> read batches wait in memory.
/// </summary>
public static class SlideInference
{
    public static IReadOnlyList<TileBatch> Plan(Slide slide, SlideMask tissue, InferenceOptions options)
    {
        options.Validate();
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, options.Stride);
        grid.EnsureMatches(tissue, slide.Path);
        return options.Mode == InferenceMode.Patch
            ? TileBatchPlanner.PlanPatches(slide.Path, grid, tissue, options.PatchesPerBatch, options.PatchSize)
            : TileBatchPlanner.PlanDense(slide.Path, grid, tissue, options.RegionCells, options.PatchSize, options.ContextMargin, options.CanonicalShapes);
    }

    public static async Task<ProbabilityMap> RunAsync(
        Slide slide,
        SlideMask tissue,
        BatchComputer computer,
        InferenceOptions options,
        IProgress<InferenceProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var batches = Plan(slide, tissue, options);
        var map = ProbabilityMap.For(new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, options.Stride));
        long cellsTotal = batches.Sum(b => (long)b.Cells.Count);
        progress?.Report(new InferenceProgress(0, batches.Count, 0, cellsTotal));

        var queue = Channel.CreateBounded<BatchPixels>(new BoundedChannelOptions(options.Prefetch)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Buffers in use at once: one per reader, the queue's, and the one computing.
        var buffers = new PixelBufferPool(options.Readers + options.Prefetch + 1);

        var reading = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.Readers, CancellationToken = cts.Token },
                    async (batch, token) => await queue.Writer.WriteAsync(BatchReader.Read(slide, batch, buffers), token));
                queue.Writer.Complete();
            }
            catch (Exception ex)
            {
                queue.Writer.Complete(ex);
            }
        }, CancellationToken.None);

        var done = 0;
        long cellsDone = 0;
        try
        {
            await foreach (var pixels in queue.Reader.ReadAllAsync(cts.Token))
            {
                // Compute on a worker thread so a caller's synchronisation context (a grain's turn) never blocks.
                var result = await Task.Run(() => computer.Compute(pixels), cts.Token);
                buffers.Return(pixels.Rgb);
                map.Apply(result);
                cellsDone += result.Cells.Count;
                progress?.Report(new InferenceProgress(++done, batches.Count, cellsDone, cellsTotal));
            }
        }
        catch
        {
            await cts.CancelAsync();
            throw;
        }
        finally
        {
            await reading;
        }
        return map;
    }
}
