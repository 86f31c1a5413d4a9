namespace OrleansPathology.Evaluation;

/// <summary>
/// Fills holes in a binary image as scipy's <c>ndimage.binary_fill_holes</c> does with its default structure: background
/// that cannot reach the image border through 4-connected background pixels becomes foreground. (Background touching the
/// border only diagonally is therefore a hole.)
/// </summary>
public static class HoleFilling
{
    /// <summary>Fills <paramref name="mask"/> (non-zero = foreground) in place, setting filled pixels to 1.</summary>
    public static void Fill(Span<byte> mask, int width, int height)
    {
        if (mask.Length != (long)width * height)
            throw new ArgumentException($"{mask.Length} bytes do not hold a {width}x{height} image", nameof(mask));
        if (mask.Length == 0) return;
        // 0 = background not (yet) reached from the border, 1 = foreground, 2 = background reached from the border.
        const byte Outside = 2;
        for (var i = 0; i < mask.Length; i++) mask[i] = mask[i] != 0 ? (byte)1 : (byte)0;

        var stack = new Stack<int>();
        void Seed(Span<byte> m, int index)
        {
            if (m[index] != 0) return;
            m[index] = Outside;
            stack.Push(index);
        }
        for (var x = 0; x < width; x++)
        {
            Seed(mask, x);
            Seed(mask, (height - 1) * width + x);
        }
        for (var y = 0; y < height; y++)
        {
            Seed(mask, y * width);
            Seed(mask, y * width + width - 1);
        }
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            var (x, y) = (i % width, i / width);
            if (x > 0) Seed(mask, i - 1);
            if (x < width - 1) Seed(mask, i + 1);
            if (y > 0) Seed(mask, i - width);
            if (y < height - 1) Seed(mask, i + width);
        }
        for (var i = 0; i < mask.Length; i++) mask[i] = mask[i] == Outside ? (byte)0 : (byte)1;
    }
}
