namespace OrleansPathology.Tissue;

/// <summary>
/// Removes connected foreground components smaller than a size, as scikit-image's
/// <c>remove_small_objects</c> does, but with 8-connectivity (skimage defaults to 4). At a mask's 64x
/// downsample a strand of tissue one or two pixels wide often runs diagonally; joined through corners it
/// counts as one object and survives, where 4-connectivity would cut it into specks and erase real
/// tissue. Dust and debris are isolated blobs, removed either way.
/// </summary>
public static class SmallObjects
{
    /// <summary>
    /// Zeroes, in place, every 8-connected component of non-zero pixels with fewer than
    /// <paramref name="minimumSize"/> pixels. Returns how many pixels were removed.
    /// </summary>
    public static long Remove(byte[] mask, int width, int height, int minimumSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumSize);
        if (mask.Length != (long)width * height)
            throw new ArgumentException($"{mask.Length} bytes do not hold a {width}x{height} mask", nameof(mask));
        if (minimumSize <= 1) return 0;

        var visited = new bool[mask.Length];
        var component = new List<int>();
        var stack = new Stack<int>();
        long removed = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || visited[start]) continue;

            // Flood fill with an explicit stack: a whole-slide component can hold millions of pixels.
            component.Clear();
            visited[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                component.Add(p);
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
                        if (mask[q] == 0 || visited[q]) continue;
                        visited[q] = true;
                        stack.Push(q);
                    }
                }
            }

            if (component.Count >= minimumSize) continue;
            foreach (var p in component) mask[p] = 0;
            removed += component.Count;
        }
        return removed;
    }
}
