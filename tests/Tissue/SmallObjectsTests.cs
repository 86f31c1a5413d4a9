using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class SmallObjectsTests
{
    private const string Before = """
        ##....#.
        ##.....#
        ........
        ...###..
        ...###..
        #.......
        """;

    [Fact]
    public void Removes_components_under_the_size_and_keeps_the_rest()
    {
        var (mask, width, height) = Parse(Before);
        var removed = SmallObjects.Remove(mask, width, height, minimumSize: 4);
        // Kept: the 2x2 square (4 pixels) and the 2x3 block (6). Removed: the diagonal pair at the top right
        // (2 pixels, one object through its corner) and the lone pixel at the bottom left.
        Assert.Equal(3, removed);
        Assert.Equal("""
            ##......
            ##......
            ........
            ...###..
            ...###..
            ........
            """, Format(mask, width));
    }

    [Fact]
    public void Joins_pixels_through_corners()
    {
        // A one-pixel diagonal strand of 5: 8-connected it is one object of 5 and survives a minimum of 5;
        // 4-connected it would be five objects of 1 and vanish.
        var (mask, width, height) = Parse("""
            #....
            .#...
            ..#..
            ...#.
            ....#
            """);
        Assert.Equal(0, SmallObjects.Remove(mask, width, height, minimumSize: 5));
        Assert.Equal(5, mask.Count(b => b != 0));
        Assert.Equal(5, SmallObjects.Remove(mask, width, height, minimumSize: 6));
        Assert.All(mask, b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_minimum_of_zero_or_one_removes_nothing()
    {
        var (mask, width, height) = Parse(Before);
        var copy = (byte[])mask.Clone();
        Assert.Equal(0, SmallObjects.Remove(mask, width, height, 0));
        Assert.Equal(0, SmallObjects.Remove(mask, width, height, 1));
        Assert.Equal(copy, mask);
    }

    private static (byte[] Mask, int Width, int Height) Parse(string picture)
    {
        var rows = picture.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var mask = rows.SelectMany(r => r.Select(c => c == '#' ? (byte)1 : (byte)0)).ToArray();
        return (mask, rows[0].Length, rows.Length);
    }

    private static string Format(byte[] mask, int width) =>
        string.Join("\n", mask.Chunk(width).Select(row => new string(row.Select(b => b != 0 ? '#' : '.').ToArray())));
}
