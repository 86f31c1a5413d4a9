namespace OrleansPathology.Tests.Synthesis;

/// <summary>
/// Image measures of one RGB window, independent of how the pixels were made: mean colour, and how much of the
/// nuclear (dark) area belongs to large nuclei. "Nuclear" is a red channel below <see cref="NuclearRed"/>:
/// haematoxylin absorbs red most, eosin hardly at all. "Large" is a nuclear pixel whose whole
/// (2·<see cref="ErosionRadius"/>+1)² neighbourhood is nuclear: it fits only in nuclei wider than ~30 px (7 um),
/// so a small lymphocyte (6-8 um) contributes almost nothing, a carcinoma nucleus (9-16 um) a lot.
/// </summary>
internal readonly record struct TextureMeasure(double R, double G, double B, double NuclearFraction, double LargeNuclearShare)
{
    public const int NuclearRed = 170;
    public const int ErosionRadius = 10;

    public double ColourDistance(TextureMeasure other) =>
        Math.Sqrt((R - other.R) * (R - other.R) + (G - other.G) * (G - other.G) + (B - other.B) * (B - other.B));

    public static TextureMeasure Of(ReadOnlySpan<byte> rgb, int width, int height)
    {
        double r = 0, g = 0, b = 0;
        var nuclear = new int[(width + 1) * (height + 1)]; // integral image of the nuclear indicator
        for (var y = 0; y < height; y++)
        {
            var rowSum = 0;
            for (var x = 0; x < width; x++)
            {
                var i = (y * width + x) * 3;
                r += rgb[i];
                g += rgb[i + 1];
                b += rgb[i + 2];
                rowSum += rgb[i] < NuclearRed ? 1 : 0;
                nuclear[(y + 1) * (width + 1) + x + 1] = nuclear[y * (width + 1) + x + 1] + rowSum;
            }
        }
        var n = (double)width * height;
        var total = nuclear[height * (width + 1) + width];
        const int k = ErosionRadius;
        const int full = (2 * k + 1) * (2 * k + 1);
        var large = 0;
        for (var y = k; y < height - k; y++)
        for (var x = k; x < width - k; x++)
        {
            var sum = nuclear[(y + k + 1) * (width + 1) + x + k + 1] - nuclear[(y - k) * (width + 1) + x + k + 1]
                - nuclear[(y + k + 1) * (width + 1) + x - k] + nuclear[(y - k) * (width + 1) + x - k];
            if (sum == full) large++;
        }
        var interior = (double)(width - 2 * k) * (height - 2 * k);
        return new TextureMeasure(r / n, g / n, b / n, total / n, total == 0 ? 0 : large / interior / (total / n));
    }

    public override string ToString() => $"rgb=({R:0},{G:0},{B:0}) nuclear={NuclearFraction:0.00} large={LargeNuclearShare:0.00}";
}
