using OrleansPathology.Imaging;

namespace OrleansPathology.Synthesis;

/// <summary>The artefacts <see cref="ArtefactScene"/> can draw onto a slide, one kind per scene (or all of them).</summary>
public enum SlideArtefact
{
    /// <summary>Stained tissue on glass and nothing else.</summary>
    Clean,

    /// <summary>One section stained at a quarter strength (weak eosin): saturation about 0.08, under Otsu's threshold.</summary>
    PaleTissue,

    BluePen,
    GreenPen,
    BlackPen,
    RedPen,

    /// <summary>Air bubbles: thin dark rings over glass and tissue.</summary>
    AirBubbles,

    /// <summary>The cover slip's edge: a thin dark line across the slide.</summary>
    CoverSlipEdge,

    /// <summary>Tissue folded over itself: bands of two to three times the stain, dark enough to fail NCRF's RGB_min.</summary>
    Folds,

    /// <summary>Dust and debris: small dark specks on the glass.</summary>
    Debris,

    /// <summary>Every artefact above in one slide.</summary>
    All,
}

/// <summary>
/// A slide drawn at a tissue mask's resolution with one kind of artefact, and its true tissue. Drawn at
/// <see cref="Supersample"/> times the resolution and area-averaged, so tissue edges, rims and strokes blend
/// with glass as they do when a scanner's pyramid averages them; a mask pixel is truly tissue when at least
/// half of it is tissue that can be seen (ink over tissue hides it; rims, folds and faint stain do not).
/// Deterministic: the same seed, size and artefact always give the same bytes.
/// </summary>
public sealed class ArtefactScene
{
    /// <summary>Drawing pixels per mask pixel along each side.</summary>
    public const int Supersample = 4;

    private static readonly (byte R, byte G, byte B) Glass = (242, 240, 243);
    private static readonly (double R, double G, double B) Eosin = (226, 150, 190);
    private static readonly (double R, double G, double B) Haematoxylin = (140, 95, 168);

    private ArtefactScene(RgbImage image, byte[] truth, SlideArtefact artefact)
    {
        Image = image;
        Truth = truth;
        Artefact = artefact;
    }

    /// <summary>The slide at the mask's resolution.</summary>
    public RgbImage Image { get; }

    /// <summary>One byte a mask pixel: 1 where the pixel is truly tissue.</summary>
    public byte[] Truth { get; }

    public SlideArtefact Artefact { get; }

    /// <summary>The image at drawing resolution, kept so a pyramid can be written from it (see <see cref="ArtefactSlideWriter"/>).</summary>
    internal RgbImage Drawing { get; private init; } = null!;

    public static ArtefactScene Draw(SlideArtefact artefact, int width, int height, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 32);
        var random = new Random(seed);
        int w = width * Supersample, h = height * Supersample;
        var canvas = new Canvas(w, h);
        canvas.Fill(Glass, random);

        // Three sections of irregular outline, laid out across the slide, the second of them faint when asked.
        var sections = new List<Section>();
        for (var k = 0; k < 3; k++)
        {
            var cx = w * (0.22 + 0.28 * k) + random.NextDouble() * w * 0.04;
            var cy = h * (0.35 + 0.3 * random.NextDouble());
            var rx = w * (0.09 + 0.03 * random.NextDouble());
            var ry = h * (0.18 + 0.08 * random.NextDouble());
            sections.Add(new Section(cx, cy, rx, ry, random.NextDouble() * Math.PI, random.Next(), k == 1 && artefact is SlideArtefact.PaleTissue or SlideArtefact.All));
        }
        var tissue = new bool[w * h];
        foreach (var section in sections) canvas.DrawSection(section, tissue, random);

        var hidden = new bool[w * h];
        var kinds = artefact == SlideArtefact.All
            ? Enum.GetValues<SlideArtefact>().Where(a => a is not (SlideArtefact.Clean or SlideArtefact.All or SlideArtefact.PaleTissue)).ToArray()
            : [artefact];
        foreach (var kind in kinds)
        {
            switch (kind)
            {
                case SlideArtefact.BluePen: canvas.DrawPen((40, 60, 175), sections, hidden, random); break;
                case SlideArtefact.GreenPen: canvas.DrawPen((35, 150, 95), sections, hidden, random); break;
                case SlideArtefact.BlackPen: canvas.DrawPen((28, 28, 34), sections, hidden, random); break;
                case SlideArtefact.RedPen: canvas.DrawPen((195, 32, 48), sections, hidden, random); break;
                case SlideArtefact.AirBubbles: canvas.DrawBubbles(random); break;
                case SlideArtefact.CoverSlipEdge: canvas.DrawCoverSlipEdge(random); break;
                case SlideArtefact.Folds: canvas.DrawFolds(sections, tissue, random); break;
                case SlideArtefact.Debris: canvas.DrawDebris(tissue, random); break;
            }
        }

        var image = new RgbImage(width, height);
        var truth = new byte[width * height];
        const int area = Supersample * Supersample;
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            int r = 0, g = 0, b = 0, visible = 0;
            for (var dy = 0; dy < Supersample; dy++)
            for (var dx = 0; dx < Supersample; dx++)
            {
                var q = (y * Supersample + dy) * w + x * Supersample + dx;
                r += canvas.Pixels[q * 3];
                g += canvas.Pixels[q * 3 + 1];
                b += canvas.Pixels[q * 3 + 2];
                if (tissue[q] && !hidden[q]) visible++;
            }
            var i = (y * width + x) * 3;
            image.Pixels[i] = (byte)((r + area / 2) / area);
            image.Pixels[i + 1] = (byte)((g + area / 2) / area);
            image.Pixels[i + 2] = (byte)((b + area / 2) / area);
            truth[y * width + x] = (byte)(visible * 2 >= area ? 1 : 0);
        }
        return new ArtefactScene(image, truth, artefact) { Drawing = new RgbImage(w, h, canvas.Pixels) };
    }

    private sealed record Section(double Cx, double Cy, double Rx, double Ry, double Angle, int Seed, bool Faint)
    {
        /// <summary>Inside an ellipse whose radius wobbles with angle (three harmonics): an irregular section outline.</summary>
        public bool Contains(double x, double y)
        {
            double dx = x - Cx, dy = y - Cy;
            double c = Math.Cos(Angle), s = Math.Sin(Angle);
            double u = (dx * c + dy * s) / Rx, v = (-dx * s + dy * c) / Ry;
            var theta = Math.Atan2(v, u);
            var phase = Seed % 1000 / 159.0;
            var wobble = 1 + 0.12 * Math.Sin(3 * theta + phase) + 0.07 * Math.Sin(5 * theta + 2 * phase) + 0.04 * Math.Sin(9 * theta + 3 * phase);
            return u * u + v * v <= wobble * wobble;
        }
    }

    private sealed class Canvas(int width, int height)
    {
        public byte[] Pixels { get; } = new byte[width * height * 3];

        public void Fill((byte R, byte G, byte B) colour, Random random)
        {
            for (var p = 0; p < width * height; p++)
            {
                var n = random.Next(-2, 3);
                Set(p, colour.R + n, colour.G + n, colour.B + n);
            }
        }

        public void DrawSection(Section section, bool[] tissue, Random random)
        {
            // A smooth mix of eosin and haematoxylin (two low-frequency waves) with grain noise, as H&E looks at 64x.
            double f1 = 0.02 + 0.02 * random.NextDouble(), f2 = 0.02 + 0.02 * random.NextDouble(), p1 = random.NextDouble() * 6, p2 = random.NextDouble() * 6;
            var strength = section.Faint ? 0.25 : 1.0;
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                if (!section.Contains(x, y)) continue;
                var p = y * width + x;
                tissue[p] = true;
                var t = 0.5 + 0.25 * Math.Sin(x * f1 / Supersample * 4 + p1) + 0.25 * Math.Sin(y * f2 / Supersample * 4 + p2);
                var n = random.Next(-8, 9);
                var colour = Mix(Eosin, Haematoxylin, t);
                Set(p, Blend(Glass.R, colour.R, strength) + n, Blend(Glass.G, colour.G, strength) + n, Blend(Glass.B, colour.B, strength) + n);
            }
        }

        /// <summary>Pen strokes: an arc circling a section on the glass, a stroke crossing a section's edge, and a short mark.</summary>
        public void DrawPen((byte R, byte G, byte B) ink, List<Section> sections, bool[] hidden, Random random)
        {
            var thickness = Supersample * (3 + random.NextDouble() * 3);
            var target = sections[random.Next(sections.Count)];
            var radius = Math.Max(target.Rx, target.Ry) * 1.35;
            var start = random.NextDouble() * Math.PI * 2;
            var points = new List<(double X, double Y)>();
            for (var a = 0.0; a < Math.PI * 1.3; a += 0.02)
                points.Add((target.Cx + radius * 0.8 * Math.Cos(start + a), target.Cy + radius * Math.Sin(start + a)));
            Stroke(points, thickness, ink, hidden);

            var crossing = sections[random.Next(sections.Count)];
            var angle = random.NextDouble() * Math.PI * 2;
            var edge = (X: crossing.Cx + crossing.Rx * 0.9 * Math.Cos(angle), Y: crossing.Cy + crossing.Ry * 0.9 * Math.Sin(angle));
            var length = crossing.Rx * 0.7;
            Stroke([(edge.X - length * Math.Cos(angle) * 0.3, edge.Y - length * Math.Sin(angle) * 0.3), (edge.X + length * Math.Cos(angle), edge.Y + length * Math.Sin(angle))],
                thickness * 0.8, ink, hidden);

            var mx = width * (0.1 + 0.8 * random.NextDouble());
            var my = height * (0.05 + 0.08 * random.NextDouble());
            Stroke([(mx, my), (mx + width * 0.06, my + height * 0.03), (mx + width * 0.1, my)], thickness * 0.7, ink, hidden);
        }

        public void DrawBubbles(Random random)
        {
            for (var k = 0; k < 5; k++)
            {
                double cx = width * random.NextDouble(), cy = height * random.NextDouble();
                var radius = Supersample * (8 + random.NextDouble() * 18);
                var rim = Supersample * (1 + random.NextDouble());
                Ring(cx, cy, radius, rim, (92, 84, 98), 0.85);
            }
        }

        public void DrawCoverSlipEdge(Random random)
        {
            var x0 = width * (0.05 + 0.1 * random.NextDouble());
            var slope = (random.NextDouble() - 0.5) * 0.1;
            var half = Supersample * 0.8;
            for (var y = 0; y < height; y++)
            {
                var centre = x0 + slope * y;
                for (var x = (int)(centre - half - 1); x <= (int)(centre + half + 1); x++)
                {
                    if (x < 0 || x >= width || Math.Abs(x - centre) > half) continue;
                    Over(y * width + x, (110, 100, 108), 0.85);
                }
                // Beyond the edge the mounting medium has no cover slip: slightly yellow, still glass.
                for (var x = 0; x < (int)(centre - half) && x < width; x++) Over(y * width + x, (236, 232, 214), 0.6);
            }
        }

        /// <summary>Folds: bands across a section where the tissue lies two or three layers thick (optical density times 2.5).</summary>
        public void DrawFolds(List<Section> sections, bool[] tissue, Random random)
        {
            foreach (var section in sections.Where(s => !s.Faint))
            {
                var angle = random.NextDouble() * Math.PI;
                double c = Math.Cos(angle), s = Math.Sin(angle);
                var offset = (random.NextDouble() - 0.5) * section.Rx;
                var half = Supersample * (2 + random.NextDouble() * 2);
                for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var p = y * width + x;
                    if (!tissue[p]) continue;
                    var d = (x - section.Cx) * c + (y - section.Cy) * s - offset;
                    if (Math.Abs(d) > half || !section.Contains(x, y)) continue;
                    Set(p, Thicken(Pixels[p * 3], 2.5), Thicken(Pixels[p * 3 + 1], 2.5), Thicken(Pixels[p * 3 + 2], 2.5));
                }
            }
        }

        /// <summary>Dust and debris: small dark grey-brown specks on the glass.</summary>
        public void DrawDebris(bool[] tissue, Random random)
        {
            for (var k = 0; k < width * height / 4000; k++)
            {
                double cx = width * random.NextDouble(), cy = height * random.NextDouble();
                if (tissue[(int)cy * width + (int)cx]) continue;
                var radius = Supersample * (0.4 + random.NextDouble() * 1.2);
                var shade = random.Next(50, 110);
                Disc(cx, cy, radius, ((byte)(shade + 20), (byte)(shade + 8), (byte)shade), 0.95);
            }
        }

        private void Stroke(IReadOnlyList<(double X, double Y)> points, double thickness, (byte R, byte G, byte B) ink, bool[] hidden)
        {
            var covered = new bool[width * height];
            for (var i = 0; i + 1 < points.Count; i++)
            {
                var (ax, ay) = points[i];
                var (bx, by) = points[i + 1];
                var steps = Math.Max(1, (int)(Math.Sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)) / 2));
                for (var k = 0; k <= steps; k++)
                    Disc(ax + (bx - ax) * k / steps, ay + (by - ay) * k / steps, thickness / 2, ink, 0, covered);
            }
            // Marker ink is translucent: what lies under it tints it, and it hides the tissue.
            for (var p = 0; p < covered.Length; p++)
            {
                if (!covered[p]) continue;
                Over(p, ink, 0.85);
                hidden[p] = true;
            }
        }

        private void Ring(double cx, double cy, double radius, double rim, (byte R, byte G, byte B) colour, double alpha)
        {
            var reach = (int)(radius + rim + 1);
            for (var y = (int)cy - reach; y <= (int)cy + reach; y++)
            for (var x = (int)cx - reach; x <= (int)cx + reach; x++)
            {
                if (x < 0 || y < 0 || x >= width || y >= height) continue;
                var d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                if (Math.Abs(d - radius) <= rim / 2) Over(y * width + x, colour, alpha);
            }
        }

        private void Disc(double cx, double cy, double radius, (byte R, byte G, byte B) colour, double alpha, bool[]? into = null)
        {
            var reach = (int)Math.Ceiling(radius);
            for (var y = (int)cy - reach; y <= (int)cy + reach; y++)
            for (var x = (int)cx - reach; x <= (int)cx + reach; x++)
            {
                if (x < 0 || y < 0 || x >= width || y >= height) continue;
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
                if (into is not null) into[y * width + x] = true;
                else Over(y * width + x, colour, alpha);
            }
        }

        private void Over(int p, (byte R, byte G, byte B) colour, double alpha) => Set(p,
            Blend(Pixels[p * 3], colour.R, alpha), Blend(Pixels[p * 3 + 1], colour.G, alpha), Blend(Pixels[p * 3 + 2], colour.B, alpha));

        private void Set(int p, double r, double g, double b)
        {
            Pixels[p * 3] = (byte)Math.Clamp(Math.Round(r), 0, 255);
            Pixels[p * 3 + 1] = (byte)Math.Clamp(Math.Round(g), 0, 255);
            Pixels[p * 3 + 2] = (byte)Math.Clamp(Math.Round(b), 0, 255);
        }
    }

    private static double Blend(double under, double over, double alpha) => under + (over - under) * alpha;

    private static (double R, double G, double B) Mix((double R, double G, double B) a, (double R, double G, double B) b, double t) =>
        (Blend(a.R, b.R, t), Blend(a.G, b.G, t), Blend(a.B, b.B, t));

    /// <summary>The transmitted value through <paramref name="layers"/> times the stain (Beer-Lambert: optical densities add).</summary>
    private static double Thicken(byte value, double layers) => 255 * Math.Pow(Math.Max((int)value, 1) / 255.0, layers);
}
