using System.Globalization;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Imaging;

/// <summary>Maps and masks as numpy .npy: what this project writes numpy reads, and what numpy (or NCRF) writes this project reads.</summary>
public sealed class NpyTests
{
    [Fact]
    public void AProbabilityMap_ReadsInNumpy_AsFloat32RowsByColumns_WithZeroWhereNotComputed()
    {
        var map = new ProbabilityMap(5, 3, 64);
        map[4, 0] = 0.75f;
        map[0, 2] = 0.125f;
        map[1, 1] = 0f;
        var path = Path.Combine(TestData.NewTempDir(), "m.probmap.npy");

        map.SaveNpy(path);

        var output = Python.Run("""
            import sys, numpy as np
            a = np.load(sys.argv[1])
            print(a.dtype, a.shape, a[0, 4], a[2, 0], np.isnan(a).sum(), float(a.sum()))
            """, path);
        Assert.Equal("float32 (3, 5) 0.75 0.125 0 0.875", output.Trim());
        var back = ProbabilityMap.LoadAny(path);
        Assert.Equal((5, 3, 64, 0.75f), (back.Width, back.Height, back.Stride, back[4, 0]));
    }

    [Fact]
    public void ATissueMask_ReadsInNumpy_AsUint8RowsByColumns()
    {
        var mask = new SlideMask(4, 2, 6, 64);
        mask[3, 0] = 1;
        mask[0, 1] = 1;
        var path = Path.Combine(TestData.NewTempDir(), "t.mask.npy");

        mask.SaveNpy(path);

        var output = Python.Run("""
            import sys, numpy as np
            a = np.load(sys.argv[1])
            print(a.dtype, a.shape, a[0, 3], a[1, 0], int(a.sum()))
            """, path);
        Assert.Equal("uint8 (2, 4) 1 1 2", output.Trim());
    }

    [Fact]
    public void NumpyMasks_ReadForARealSlide_RowsByColumnsOrNcrfsTransposedBool_FindTheirLevel()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs")); // 2220x2967: level 6 is 34x46
        var dir = TestData.NewTempDir();
        var rowsByColumns = Path.Combine(dir, "rc.npy");
        var ncrf = Path.Combine(dir, "ncrf.npy");
        // NCRF's tissue_mask.py transposes the RGB image to (x, y) and saves a bool array, which numpy writes in Fortran order.
        Python.Run("""
            import sys, numpy as np
            m = np.zeros((46, 34), dtype=np.uint8); m[10, 20] = 1; m[45, 0] = 1
            np.save(sys.argv[1], m)
            t = np.transpose(m.astype(bool)); assert t.flags.f_contiguous
            np.save(sys.argv[2], t)
            """, rowsByColumns, ncrf);

        foreach (var path in new[] { rowsByColumns, ncrf })
        {
            var mask = SlideMask.LoadFor(path, slide.Dimensions.Width, slide.Dimensions.Height);
            Assert.Equal((34, 46, 6, 64.0), (mask.Width, mask.Height, mask.Level, mask.Downsample));
            Assert.Equal((1, 1, 2L), (mask[20, 10], mask[0, 45], mask.CountForeground()));
        }
    }

    [Fact]
    public void AnArrayOfTheWrongShape_IsRefused_NamingTheFile()
    {
        var path = Path.Combine(TestData.NewTempDir(), "wrong.npy");
        NpyFile.WriteUInt8(path, 10, 10, new byte[100]);

        var error = Assert.Throws<InvalidDataException>(() => SlideMask.LoadFor(path, 2220, 2967));

        Assert.Contains("wrong.npy", error.Message);
        Assert.Contains("10x10", error.Message);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{path}: not a numpy .npy file (no \\x93NUMPY magic)"),
            Assert.Throws<InvalidDataException>(() => { File.WriteAllText(path, "hello"); NpyFile.Read(path); }).Message);
    }
}
