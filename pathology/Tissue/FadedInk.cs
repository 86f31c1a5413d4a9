namespace OrleansPathology.Tissue;

/// <summary>
/// Red marker ink that has faded (thinned at a stroke's end, seen through mountant beyond a cover slip, blurred out
/// of focus at its edges) keeps red ink's hue but loses the saturation <see cref="PenInk"/> asks of red: on its own
/// it reads as eosin. It is told apart by hysteresis, as Canny joins weak edges to strong ones: a pixel of red ink's
/// hue (345 to 360 degrees, or orange) with some colour is ink when it lies within two pixels of red ink
/// <see cref="PenInk"/> is sure of, or is 8-connected to such a pixel through pixels like it and grey ones. Eosin of
/// that hue that touches no stroke stays tissue.
/// </summary>
public static class FadedInk
{
    /// <summary>Faded ink needs this much colour (0.12 on the byte scale): glass and its noise have under 0.04.</summary>
    public const int MinimumSaturation = 30;

    /// <summary>
    /// Red ink's hue: blue at most a quarter of the way from green to red (hue 345 to 360, or orange below green).
    /// Eosin's hue lies under 345 at the mask's resolution (drawn eosin 328, CMU-1's pinks 330 to 340).
    /// </summary>
    public static bool HasRedInkHue(byte r, byte g, byte b) =>
        r > g && r >= b && (b - g) * 4 <= r - g;

    /// <summary>A pixel that is red ink if it touches red ink: red ink's hue, some colour, and no other artefact.</summary>
    public static bool IsCandidate(byte r, byte g, byte b) =>
        HasRedInkHue(r, g, b) && HsvSaturation.Of(r, g, b) >= MinimumSaturation && PenInk.Of(r, g, b) == ArtefactColour.None;

    /// <summary>
    /// Seeds reach this far (5x5) beyond red ink: a line a pixel or two wide of another colour crossing the stroke
    /// (a cover slip's edge blended with the ink) must not cut its faded part off.
    /// </summary>
    public const int SeedReach = 2;

    /// <summary>
    /// Marks in <paramref name="ink"/> (1 = ink) every <paramref name="candidate"/> pixel within <see cref="SeedReach"/> of red ink,
    /// or 8-connected to one through candidates and <paramref name="bridge"/> pixels (grey and black: a
    /// cover slip's edge or a bubble's rim crossing the stroke must not cut its faded part off). Returns how many it marked.
    /// </summary>
    public static int Grow(byte[] ink, byte[] redInk, byte[] candidate, byte[] bridge, int width, int height)
    {
        var seed = MaskMorphology.Dilate(redInk, width, height, SeedReach);
        var stack = new Stack<int>();
        var reached = new bool[seed.Length];
        var marked = 0;
        for (var p = 0; p < seed.Length; p++)
            if (seed[p] != 0)
            {
                reached[p] = true;
                stack.Push(p);
                if (candidate[p] == 0) continue;
                ink[p] = 1;
                marked++;
            }
        while (stack.Count > 0)
        {
            var p = stack.Pop();
            int px = p % width, py = p / width;
            for (var dy = -1; dy <= 1; dy++)
            {
                var y = py + dy;
                if (y < 0 || y >= height) continue;
                for (var dx = -1; dx <= 1; dx++)
                {
                    var x = px + dx;
                    if (x < 0 || x >= width) continue;
                    var q = y * width + x;
                    if (reached[q] || (candidate[q] == 0 && bridge[q] == 0)) continue;
                    reached[q] = true;
                    stack.Push(q);
                    if (candidate[q] == 0) continue;
                    ink[q] = 1;
                    marked++;
                }
            }
        }
        return marked;
    }
}
