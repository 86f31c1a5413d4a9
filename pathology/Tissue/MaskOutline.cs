using OrleansPathology.Imaging;

namespace OrleansPathology.Tissue;

/// <summary>A mask's boundary drawn over the slide image it was made from, for a person to check the mask by eye.</summary>
public static class MaskOutline
{
    /// <summary>Pure green: no stain in H&amp;E or IHC comes close, so the line reads on any tissue.</summary>
    public static readonly (byte R, byte G, byte B) Green = (0, 255, 0);

    /// <summary>
    /// A copy of <paramref name="image"/> with every boundary pixel of <paramref name="mask"/> painted
    /// <paramref name="colour"/>. A boundary pixel is foreground with a 4-neighbour that is background or
    /// off the image, which gives a closed line one pixel wide, even where tissue runs off the edge.
    /// </summary>
    public static RgbImage Draw(RgbImage image, SlideMask mask, (byte R, byte G, byte B)? colour = null)
    {
        if (image.Width != mask.Width || image.Height != mask.Height)
            throw new ArgumentException($"a {mask.Width}x{mask.Height} mask cannot outline a {image.Width}x{image.Height} image", nameof(mask));
        var line = colour ?? Green;
        var outlined = new RgbImage(image.Width, image.Height, (byte[])image.Pixels.Clone());
        for (var y = 0; y < mask.Height; y++)
        {
            for (var x = 0; x < mask.Width; x++)
            {
                if (IsBoundary(mask, x, y)) outlined[x, y] = line;
            }
        }
        return outlined;
    }

    private static bool IsBoundary(SlideMask mask, int x, int y) =>
        mask[x, y] != 0
        && (IsBackground(mask, x - 1, y) || IsBackground(mask, x + 1, y) || IsBackground(mask, x, y - 1) || IsBackground(mask, x, y + 1));

    private static bool IsBackground(SlideMask mask, int x, int y) =>
        x < 0 || y < 0 || x >= mask.Width || y >= mask.Height || mask[x, y] == 0;
}
