namespace OrleansPathology.Imaging;

/// <summary>
/// A 5x7 pixel font for chart labels, so plots need no font file or imaging dependency. Digits, capitals, space and
/// the punctuation that tick labels and axis titles use; lower case is drawn as capitals, and any other character as
/// a hollow box so that a missing glyph shows rather than vanishes.
/// </summary>
public static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;

    /// <summary>Horizontal pixels per character at scale 1 (glyph plus one column of spacing).</summary>
    public const int Advance = GlyphWidth + 1;

    // Each glyph: 7 rows top to bottom, 5 columns left to right, '1' = ink.
    private static readonly Dictionary<char, string> Rows = new()
    {
        ['0'] = "01110,10001,10011,10101,11001,10001,01110",
        ['1'] = "00100,01100,00100,00100,00100,00100,01110",
        ['2'] = "01110,10001,00001,00010,00100,01000,11111",
        ['3'] = "11111,00010,00100,00010,00001,10001,01110",
        ['4'] = "00010,00110,01010,10010,11111,00010,00010",
        ['5'] = "11111,10000,11110,00001,00001,10001,01110",
        ['6'] = "00110,01000,10000,11110,10001,10001,01110",
        ['7'] = "11111,00001,00010,00100,01000,01000,01000",
        ['8'] = "01110,10001,10001,01110,10001,10001,01110",
        ['9'] = "01110,10001,10001,01111,00001,00010,01100",
        ['A'] = "01110,10001,10001,11111,10001,10001,10001",
        ['B'] = "11110,10001,10001,11110,10001,10001,11110",
        ['C'] = "01110,10001,10000,10000,10000,10001,01110",
        ['D'] = "11100,10010,10001,10001,10001,10010,11100",
        ['E'] = "11111,10000,10000,11110,10000,10000,11111",
        ['F'] = "11111,10000,10000,11110,10000,10000,10000",
        ['G'] = "01110,10001,10000,10111,10001,10001,01111",
        ['H'] = "10001,10001,10001,11111,10001,10001,10001",
        ['I'] = "01110,00100,00100,00100,00100,00100,01110",
        ['J'] = "00111,00010,00010,00010,00010,10010,01100",
        ['K'] = "10001,10010,10100,11000,10100,10010,10001",
        ['L'] = "10000,10000,10000,10000,10000,10000,11111",
        ['M'] = "10001,11011,10101,10101,10001,10001,10001",
        ['N'] = "10001,10001,11001,10101,10011,10001,10001",
        ['O'] = "01110,10001,10001,10001,10001,10001,01110",
        ['P'] = "11110,10001,10001,11110,10000,10000,10000",
        ['Q'] = "01110,10001,10001,10001,10101,10010,01101",
        ['R'] = "11110,10001,10001,11110,10100,10010,10001",
        ['S'] = "01111,10000,10000,01110,00001,00001,11110",
        ['T'] = "11111,00100,00100,00100,00100,00100,00100",
        ['U'] = "10001,10001,10001,10001,10001,10001,01110",
        ['V'] = "10001,10001,10001,10001,10001,01010,00100",
        ['W'] = "10001,10001,10001,10101,10101,10101,01010",
        ['X'] = "10001,10001,01010,00100,01010,10001,10001",
        ['Y'] = "10001,10001,10001,01010,00100,00100,00100",
        ['Z'] = "11111,00001,00010,00100,01000,10000,11111",
        [' '] = "00000,00000,00000,00000,00000,00000,00000",
        ['.'] = "00000,00000,00000,00000,00000,01100,01100",
        [','] = "00000,00000,00000,00000,01100,00100,01000",
        ['-'] = "00000,00000,00000,11111,00000,00000,00000",
        ['+'] = "00000,00100,00100,11111,00100,00100,00000",
        ['/'] = "00000,00001,00010,00100,01000,10000,00000",
        ['('] = "00010,00100,01000,01000,01000,00100,00010",
        [')'] = "01000,00100,00010,00010,00010,00100,01000",
        [':'] = "00000,01100,01100,00000,01100,01100,00000",
        ['%'] = "11000,11001,00010,00100,01000,10011,00011",
        ['_'] = "00000,00000,00000,00000,00000,00000,11111",
        ['='] = "00000,00000,11111,00000,11111,00000,00000",
        ['?'] = "01110,10001,00001,00010,00100,00000,00100",
        ['\''] = "01100,00100,01000,00000,00000,00000,00000",
        ['#'] = "01010,01010,11111,01010,11111,01010,01010",
    };

    private const string MissingGlyph = "11111,10001,10001,10001,10001,10001,11111";

    private static readonly Dictionary<char, bool[,]> Glyphs = Rows.ToDictionary(kv => kv.Key, kv => Parse(kv.Value));
    private static readonly bool[,] Missing = Parse(MissingGlyph);

    /// <summary>Whether <paramref name="c"/> has a glyph of its own (lower case counts through its capital).</summary>
    public static bool HasGlyph(char c) => Glyphs.ContainsKey(char.ToUpperInvariant(c));

    /// <summary>The ink of one character: [row, column], <see cref="GlyphHeight"/> x <see cref="GlyphWidth"/>.</summary>
    public static bool[,] Glyph(char c) => Glyphs.TryGetValue(char.ToUpperInvariant(c), out var glyph) ? glyph : Missing;

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/> (no trailing spacing column).</summary>
    public static int MeasureWidth(string text, int scale = 1) => text.Length == 0 ? 0 : (text.Length * Advance - 1) * scale;

    /// <summary>Height in pixels of one line at <paramref name="scale"/>.</summary>
    public static int MeasureHeight(int scale = 1) => GlyphHeight * scale;

    /// <summary>
    /// Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>); pixels off the
    /// image are skipped. When <paramref name="vertical"/>, the text is turned a quarter left (reading bottom to top, as a
    /// y-axis title) and (x, y) is then its bottom-left corner.
    /// </summary>
    public static void Draw(RgbImage image, string text, int x, int y, (byte R, byte G, byte B) colour, int scale = 1, bool vertical = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        for (var i = 0; i < text.Length; i++)
        {
            var glyph = Glyph(text[i]);
            var offset = i * Advance * scale;
            for (var row = 0; row < GlyphHeight; row++)
            {
                for (var column = 0; column < GlyphWidth; column++)
                {
                    if (!glyph[row, column]) continue;
                    for (var dy = 0; dy < scale; dy++)
                    {
                        for (var dx = 0; dx < scale; dx++)
                        {
                            var u = offset + column * scale + dx; // along the text
                            var v = row * scale + dy;             // across it, top to bottom
                            var (px, py) = vertical ? (x + v, y - u) : (x + u, y + v);
                            if ((uint)px < (uint)image.Width && (uint)py < (uint)image.Height) image[px, py] = colour;
                        }
                    }
                }
            }
        }
    }

    private static bool[,] Parse(string rows)
    {
        var lines = rows.Split(',');
        var glyph = new bool[GlyphHeight, GlyphWidth];
        for (var r = 0; r < GlyphHeight; r++)
        {
            for (var c = 0; c < GlyphWidth; c++) glyph[r, c] = lines[r][c] == '1';
        }
        return glyph;
    }
}
