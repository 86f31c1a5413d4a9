namespace OrleansPathology.Synthesis;

/// <summary>
/// Writes an <see cref="ArtefactScene"/> as a real pyramidal TIFF that OpenSlide reads, its level 0
/// <paramref name="downsample"/> times the scene's mask resolution: each drawing pixel is blown up to a square
/// block, so the pyramid's level at that downsample averages back to the scene's image.
/// </summary>
public static class ArtefactSlideWriter
{
    public static void Write(string path, ArtefactScene scene, int downsample = 64, int parallelism = 0)
    {
        if (downsample < ArtefactScene.Supersample || downsample % ArtefactScene.Supersample != 0)
            throw new ArgumentOutOfRangeException(nameof(downsample), downsample, $"a multiple of {ArtefactScene.Supersample}");
        var options = new PyramidWriterOptions
        {
            PixelsPerCentimetre = 10_000 / CohortSynthesizer.MicronsPerPixel,
            Description = $"OrleansPathology artefact scene; artefact={scene.Artefact}",
            MaxDownsample = Math.Max(downsample, 64) * 2,
            Parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
        };
        PyramidWriter.Write(path, (long)scene.Image.Width * downsample, (long)scene.Image.Height * downsample,
            new BlownUpSource(scene.Drawing, downsample / ArtefactScene.Supersample), options);
    }

    private sealed class BlownUpSource(OrleansPathology.Imaging.RgbImage drawing, int factor) : ITileSource
    {
        public ITileRenderer CreateRenderer() => new Renderer(drawing, factor);
    }

    private sealed class Renderer(OrleansPathology.Imaging.RgbImage drawing, int factor) : ITileRenderer
    {
        public void Render(long x0, long y0, int size, Span<byte> rgb)
        {
            for (var y = 0; y < size; y++)
            {
                var sy = (int)Math.Min((y0 + y) / factor, drawing.Height - 1);
                for (var x = 0; x < size; x++)
                {
                    var sx = (int)Math.Min((x0 + x) / factor, drawing.Width - 1);
                    var from = (sy * drawing.Width + sx) * 3;
                    var to = (y * size + x) * 3;
                    rgb[to] = drawing.Pixels[from];
                    rgb[to + 1] = drawing.Pixels[from + 1];
                    rgb[to + 2] = drawing.Pixels[from + 2];
                }
            }
        }
    }
}
