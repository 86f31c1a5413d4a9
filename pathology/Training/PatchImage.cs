using OrleansPathology.Imaging;

namespace OrleansPathology.Training;

/// <summary>
/// A training sample whose image is a patch file (PNG) rather than a slide: the window is cut around the sample's
/// centre in the image's own pixels; an image smaller than the window sits in its middle on white, as a read past a
/// slide's edge shows glass (PCam's 96x96 patches, say).
/// </summary>
public static class PatchImage
{
    /// <summary>Whether <paramref name="path"/> names a patch image rather than a slide.</summary>
    public static bool IsPatchImage(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the <paramref name="size"/> square window centred at (<paramref name="centreX"/>, <paramref name="centreY"/>) into interleaved RGB.</summary>
    public static void ReadWindow(string path, long centreX, long centreY, int size, Span<byte> rgb)
    {
        var image = PngReader.Read(path);
        rgb[..(size * size * 3)].Fill(255);
        var left = centreX - size / 2;
        var top = centreY - size / 2;
        for (var y = 0; y < size; y++)
        {
            var sy = top + y;
            if (sy < 0 || sy >= image.Height) continue;
            for (var x = 0; x < size; x++)
            {
                var sx = left + x;
                if (sx < 0 || sx >= image.Width) continue;
                var (r, g, b) = image[(int)sx, (int)sy];
                var at = (y * size + x) * 3;
                rgb[at] = r;
                rgb[at + 1] = g;
                rgb[at + 2] = b;
            }
        }
    }
}
