namespace OrleansPathology.Synthesis;

/// <summary>
/// The nuclei the renderer stamps, drawn once per process. Sizes at 0.243 um/px (CAMELYON16's level 0):
/// small lymphocytes are 6-8 um across (25-33 px), the bulk of a lymph node; fibroblast nuclei are slender ovals
/// along the collagen; histiocytes are paler ovals; metastatic breast carcinoma nuclei are 9-16 um (37-66 px),
/// irregular in outline and size (pleomorphic), mostly vesicular (pale chromatin, dark membrane, prominent
/// nucleoli), some hyperchromatic. Texture, not colour, is what separates them: see <see cref="TissueStyle"/>.
/// </summary>
internal sealed class NucleusBank
{
    /// <summary>Orientations of fibroblast nuclei, so they can follow the fibre direction.</summary>
    public const int StromalAngles = 16;

    private static readonly Lazy<NucleusBank> SharedBank = new(() => new NucleusBank(0xB10B5UL));

    public static NucleusBank Shared => SharedBank.Value;

    public NucleusStamp[] Lymphocytes { get; }
    public NucleusStamp[] Histiocytes { get; }
    /// <summary>[angle bucket][variant]: bucket b is oriented at b·π/<see cref="StromalAngles"/>.</summary>
    public NucleusStamp[][] Stromal { get; }
    public NucleusStamp[] Tumour { get; }

    /// <summary>The largest stamp radius: how far outside a tile a nucleus centre can lie and still reach into it.</summary>
    public int MaxRadius { get; }

    private NucleusBank(ulong seed)
    {
        var rng = new SplitMix64(seed);
        Lymphocytes = Draw(64, ref rng, Lymphocyte);
        Histiocytes = Draw(32, ref rng, Histiocyte);
        Stromal = new NucleusStamp[StromalAngles][];
        for (var b = 0; b < StromalAngles; b++)
        {
            var angle = b * Math.PI / StromalAngles;
            Stromal[b] = Draw(8, ref rng, (ref SplitMix64 r) => Fibroblast(ref r, angle));
        }
        Tumour = Draw(256, ref rng, Carcinoma);
        MaxRadius = new[] { Lymphocytes, Histiocytes, Tumour }.Concat(Stromal).SelectMany(s => s).Max(s => s.Size) / 2 + 1;
    }

    private delegate NucleusStamp Drawer(ref SplitMix64 rng);

    private static NucleusStamp[] Draw(int count, ref SplitMix64 rng, Drawer draw)
    {
        var stamps = new NucleusStamp[count];
        for (var i = 0; i < count; i++) stamps[i] = draw(ref rng);
        return stamps;
    }

    private static NucleusStamp Lymphocyte(ref SplitMix64 rng) => Render(ref rng, new Shape
    {
        Radius = rng.Uniform(11.5, 15.5),
        Aspect = rng.Uniform(1.0, 1.2),
        Roughness = 0.04,
        Interior = (int)rng.Uniform(180, 225),
        Rim = 0,
        Chromatin = 30,
        ChromatinScale = 2.5,
        Eosin = 20,
    });

    private static NucleusStamp Histiocyte(ref SplitMix64 rng) => Render(ref rng, new Shape
    {
        Radius = rng.Uniform(12, 16),
        Aspect = rng.Uniform(1.15, 1.5),
        Roughness = 0.06,
        Interior = (int)rng.Uniform(105, 140),
        Rim = (int)rng.Uniform(135, 155),
        RimWidth = 1.5,
        Chromatin = 22,
        ChromatinScale = 3,
        Eosin = 45,
    });

    private static NucleusStamp Fibroblast(ref SplitMix64 rng, double angle)
    {
        var halfWidth = rng.Uniform(5, 7.5);
        return Render(ref rng, new Shape
        {
            Radius = halfWidth,
            Aspect = rng.Uniform(16, 24) / halfWidth,
            Angle = angle + rng.Uniform(-0.1, 0.1),
            Roughness = 0.03,
            Interior = (int)rng.Uniform(150, 190),
            Rim = 0,
            Chromatin = 10,
            ChromatinScale = 3,
            Eosin = 40,
        });
    }

    private static NucleusStamp Carcinoma(ref SplitMix64 rng)
    {
        var hyperchromatic = rng.NextDouble() < 0.25;
        var radius = rng.LogUniform(18, 32);
        return Render(ref rng, new Shape
        {
            Radius = radius,
            Aspect = rng.Uniform(1.05, 1.6),
            Roughness = rng.Uniform(0.08, 0.22),
            Interior = hyperchromatic ? (int)rng.Uniform(150, 190) : (int)rng.Uniform(90, 130),
            Rim = (int)rng.Uniform(150, 190),
            RimWidth = rng.Uniform(1.5, 3),
            Chromatin = hyperchromatic ? 26 : 36,
            ChromatinScale = rng.Uniform(3.5, 5.5),
            Eosin = 35,
            Nucleoli = hyperchromatic ? 0 : rng.NextInt(1, 3),
            NucleolusRadius = rng.Uniform(2.5, 4.5),
        });
    }

    /// <summary>What one nucleus looks like, in pixels and stain amounts (0..255).</summary>
    private sealed record Shape
    {
        public double Radius { get; init; }
        public double Aspect { get; init; } = 1;
        public double? Angle { get; init; }
        public double Roughness { get; init; }
        public int Interior { get; init; }
        public int Rim { get; init; }
        public double RimWidth { get; init; } = 2;
        public int Chromatin { get; init; }
        public double ChromatinScale { get; init; } = 4;
        public int Eosin { get; init; }
        public int Nucleoli { get; init; }
        public double NucleolusRadius { get; init; }
    }

    private static NucleusStamp Render(ref SplitMix64 rng, Shape shape)
    {
        var outline = IrregularShape.Draw(ref rng, new Annotations.PointD(0, 0), shape.Radius, shape.Aspect, shape.Roughness, 0);
        var angle = shape.Angle ?? outline.Angle;
        var half = (int)Math.Ceiling(outline.MaxExtent) + 2;
        var size = 2 * half;
        var alpha = new byte[size * size];
        var h = new byte[size * size];
        var e = new byte[size * size];
        var chromatinKey = rng.NextUInt64();
        var nucleoli = new (double X, double Y)[shape.Nucleoli];
        for (var n = 0; n < nucleoli.Length; n++)
        {
            var (s, c) = Math.SinCos(rng.Uniform(0, 2 * Math.PI));
            var d = rng.Uniform(0, 0.45) * shape.Radius;
            nucleoli[n] = (d * c, d * s);
        }

        var (sinA, cosA) = Math.SinCos(angle);
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            double dx = x + 0.5 - half, dy = y + 0.5 - half;
            // Into the shape's frame: unrotate, unstretch.
            var u = (dx * cosA + dy * sinA) / shape.Aspect;
            var v = -dx * sinA + dy * cosA;
            var rho = Math.Sqrt(u * u + v * v);
            var theta = Math.Atan2(v, u);
            var edge = 1.0;
            for (var k = 0; k < outline.Amplitudes.Length; k++) edge += outline.Amplitudes[k] * Math.Cos((k + 2) * theta + outline.Phases[k]);
            edge *= shape.Radius;
            var depth = edge - rho; // pixels inside the rim (negative outside), in the unstretched frame
            var coverage = Math.Clamp(depth / 1.8 + 0.5, 0, 1); // a rim about 2 px soft, as optics blur it
            if (coverage <= 0) continue;

            var i = y * size + x;
            alpha[i] = (byte)Math.Round(coverage * 255);
            double amount = shape.Rim > 0 && depth < shape.RimWidth ? shape.Rim : shape.Interior;
            amount += shape.Chromatin * (2 * ValueNoise.At(chromatinKey, x, y, shape.ChromatinScale) - 1);
            double eosin = shape.Eosin;
            foreach (var (nx, ny) in nucleoli)
            {
                var d = Math.Sqrt((dx - nx) * (dx - nx) + (dy - ny) * (dy - ny));
                if (d < shape.NucleolusRadius)
                {
                    // Nucleoli take both stains (amphophilic): dark, with a magenta cast.
                    amount = 185;
                    eosin = 130;
                }
            }
            h[i] = (byte)Math.Clamp(Math.Round(amount), 0, 255);
            e[i] = (byte)Math.Clamp(Math.Round(eosin), 0, 255);
        }
        return new NucleusStamp(size, alpha, h, e);
    }
}
