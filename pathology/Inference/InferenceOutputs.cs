using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Inference;

/// <summary>Where one slide's results are written, named after the slide file.</summary>
public sealed record InferenceOutputPaths(string Map, string Heatmap, string Lesions, string MapPng, string Overlay, string GeoJson, string LesionsXml, string MapNpy)
{
    public static InferenceOutputPaths For(string directory, string slidePath)
    {
        var stem = Path.GetFileNameWithoutExtension(slidePath);
        return new(
            Path.Combine(directory, stem + ".probmap"),
            Path.Combine(directory, stem + ".heatmap.png"),
            Path.Combine(directory, stem + ".csv"),
            Path.Combine(directory, stem + ".probmap.png"),
            Path.Combine(directory, stem + ".overlay.tif"),
            Path.Combine(directory, stem + ".geojson"),
            Path.Combine(directory, stem + ".lesions.xml"),
            Path.Combine(directory, stem + ".probmap.npy"));
    }
}

/// <summary>
/// Writes a finished map's outputs: the float map (own format with NaN where not computed, and numpy .npy), the lesions CSV, the lesions and cells as QuPath GeoJSON, the lesions
/// as ASAP XML, a heatmap over the thumbnail, the map as PNG, and a pyramidal colour overlay TIFF aligned with the slide.
/// </summary>
public static class InferenceOutputs
{
    public static IReadOnlyList<Lesion> Write(string directory, Slide slide, ProbabilityMap map, LesionDetector? detector = null)
    {
        Directory.CreateDirectory(directory);
        var paths = InferenceOutputPaths.For(directory, slide.Path);
        map.Save(paths.Map);
        map.SaveNpy(paths.MapNpy);
        var lesions = (detector ?? new LesionDetector()).Detect(map);
        LesionDetector.WriteCsv(paths.Lesions, lesions);
        QuPathGeoJson.Write(paths.GeoJson, map, lesions);
        AsapLesionXml.Write(paths.LesionsXml, lesions);
        PngWriter.WriteRgb(paths.Heatmap, HeatmapFigure.Render(FigureThumbnail(slide), map, lesions, title: $"{Path.GetFileName(slide.Path)}: tumour probability"));
        PngWriter.WriteGray(paths.MapPng, map.Width, map.Height, HeatmapRenderer.ToBytes(map));
        MapOverlay.Write(paths.Overlay, map, slide.MicronsPerPixel?.Mean);
        return lesions;
    }

    /// <summary>
    /// Once the truth is known (an evaluation), the slide's heatmap figure again with the tumour outline, beside the
    /// first: <c>{stem}.heatmap-truth.png</c>, from the map and lesions written in <paramref name="directory"/>.
    /// </summary>
    public static string WriteHeatmapWithTruth(string directory, Slide slide, SlideMask truth)
    {
        var paths = InferenceOutputPaths.For(directory, slide.Path);
        var map = ProbabilityMap.Load(paths.Map);
        var path = Path.ChangeExtension(paths.Heatmap, null) + "-truth.png";
        PngWriter.WriteRgb(path, HeatmapFigure.Render(FigureThumbnail(slide), map, LesionDetector.ReadCsv(paths.Lesions), truth,
            title: $"{Path.GetFileName(slide.Path)}: tumour probability and truth"));
        return path;
    }

    // A thumbnail one to two thousand pixels wide (a power-of-two downsample, up to 64): sharp at the figure's size.
    private static RgbImage FigureThumbnail(Slide slide)
    {
        var downsample = Math.Clamp(Math.Pow(2, Math.Floor(Math.Log2(Math.Max(1, slide.Dimensions.Width / 1000.0)))), 1, 64);
        return MaskImageReader.Read(slide, MaskResolution.Choose(slide.Levels, downsample));
    }
}
