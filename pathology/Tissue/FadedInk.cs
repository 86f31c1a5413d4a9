namespace OrleansPathology.Tissue;

/// <summary>
/// Red marker ink that has faded (thinned at a stroke's end, seen through mountant beyond a cover slip, blurred out
/// of focus at its edges) keeps red ink's hue but loses the saturation <see cref="PenInk"/> asks of red: on its own
/// it reads as eosin. It is told apart by hysteresis, as Canny joins weak edges to strong ones: a pixel of red ink's
/// hue (345 to 360 degrees, or orange) with some colour is ink when it is 8-connected, through such pixels, to
/// ink <see cref="PenInk"/> is sure of. Eosin of that hue that touches no stroke stays tissue.
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
    /// Marks in <paramref name="ink"/> (1 = ink) every <paramref name="candidate"/> pixel 8-connected to a
    /// <paramref name="seed"/> pixel through candidates and <paramref name="bridge"/> pixels (grey and black: a
    /// cover slip's edge or a bubble's rim crossing the stroke must not cut its faded part off). Returns how many it marked.
    /// </summary>
    public static int Grow(byte[] ink, byte[] seed, byte[] candidate, byte[] bridge, int width, int height)
    {
        var stack = new Stack<int>();
        var reached = new bool[seed.Length];
        for (var p = 0; p < seed.Length; p++)
            if (seed[p] != 0)
            {
                reached[p] = true;
                stack.Push(p);
            }
        var marked = 0;
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
