using OrleansPathology.Imaging;

namespace OrleansPathology.Tests.Tissue;

/// <summary>Reads the PNGs of the test data and the RGB thumbnails <see cref="PngWriter"/> makes (the product's <see cref="PngReader"/>).</summary>
internal static class PngTile
{
    public static RgbImage Read(string path) => PngReader.Read(path);
}
