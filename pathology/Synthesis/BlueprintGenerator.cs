using OrleansPathology.Annotations;

namespace OrleansPathology.Synthesis;

/// <summary>
/// Lays out a slide from (seed, index): 2 to 5 tissue pieces of lobulated outline, a few holes in them (fat,
/// vessels), and on a tumour slide 1 to 5 tumour outlines of sizes from isolated-tumour-cell clusters up to
/// macrometastases of several millimetres on a large slide, each wholly inside tissue and clear of holes.
/// </summary>
internal static class BlueprintGenerator
{
    /// <summary>Smallest tumour radius: ~24 um, a cluster of a handful of carcinoma cells (an ITC is under 200 um).</summary>
    public const double SmallestTumourRadius = 100;

    /// <summary>The floor placement may shrink a lesion to when room is short: ~10 um, two or three carcinoma cells.</summary>
    public const double TinyTumourRadius = 40;

    /// <summary>Largest tumour radius: ~2.9 mm, a macrometastasis (over 2 mm) on a slide wide enough to hold it.</summary>
    public const double LargestTumourRadius = 12_000;

    public static SlideBlueprint Create(ulong seed, int index, string id, long width, long height, bool hasTumour)
    {
        var key = SplitMix64.Hash(seed, index, 0x511DE);
        var rng = SplitMix64.For(key, 0);
        var pieces = PlacePieces(ref rng, width, height);
        var holes = new List<AnnotationPolygon>();
        foreach (var piece in pieces) holes.AddRange(PlaceHoles(ref rng, piece, holes.Count));
        var tissue = new SlideAnnotations(
            pieces.Select((p, i) => new AnnotationPolygon($"Tissue {i}", "tissue", IrregularShape.Vertices(p, IrregularShape.VertexCount(p, 48)))).ToList(),
            holes);
        var tumour = hasTumour ? PlaceTumours(ref rng, pieces, tissue) : SlideAnnotations.Empty;
        return new SlideBlueprint(id, index, width, height, key, tissue, tumour);
    }

    private static List<IrregularShape.Spec> PlacePieces(ref SplitMix64 rng, long width, long height)
    {
        var shortSide = Math.Min(width, height);
        var count = rng.NextInt(2, 6);
        var pieces = new List<IrregularShape.Spec>();
        for (var n = 0; n < count; n++)
        {
            var radius = shortSide * rng.Uniform(0.12, 0.24);
            for (var attempt = 0; attempt < 200; attempt++, radius *= 0.985)
            {
                var aspect = rng.Uniform(1.0, 1.7);
                var candidate = IrregularShape.Draw(ref rng, default, radius, aspect, rng.Uniform(0.15, 0.35), 0.012);
                var reach = candidate.MaxExtent + 0.02 * shortSide;
                if (2 * reach >= width || 2 * reach >= height) continue;
                var centre = new PointD(rng.Uniform(reach, width - reach), rng.Uniform(reach, height - reach));
                if (pieces.Any(p => Distance(p.Centre, centre) < p.MaxExtent + candidate.MaxExtent + 0.02 * shortSide)) continue;
                pieces.Add(candidate with { Centre = centre });
                break;
            }
        }
        if (pieces.Count == 0) throw new InvalidOperationException($"no tissue piece fits a {width}x{height} slide");
        return pieces;
    }

    private static IEnumerable<AnnotationPolygon> PlaceHoles(ref SplitMix64 rng, IrregularShape.Spec piece, int numbered)
    {
        var holes = new List<AnnotationPolygon>();
        var count = rng.NextInt(0, 4);
        for (var n = 0; n < count; n++)
        {
            var hole = IrregularShape.Draw(ref rng, default, piece.Radius * rng.Uniform(0.03, 0.08), rng.Uniform(1, 1.6), 0.15, 0.01);
            // Every outline reaches at least 0.35 R from its centre (IrregularShape caps the lobes), so a hole whose
            // reach stays within that is inside the piece.
            var room = 0.35 * piece.Radius - hole.MaxExtent;
            if (room <= 0) continue;
            var (s, c) = Math.SinCos(rng.Uniform(0, 2 * Math.PI));
            var d = rng.Uniform(0, room);
            hole = hole with { Centre = new PointD(piece.Centre.X + d * c, piece.Centre.Y + d * s) };
            holes.Add(new AnnotationPolygon($"Hole {numbered + holes.Count}", "tissue", IrregularShape.Vertices(hole, IrregularShape.VertexCount(hole, 24))));
        }
        return holes;
    }

    private static SlideAnnotations PlaceTumours(ref SplitMix64 rng, List<IrregularShape.Spec> pieces, SlideAnnotations tissue)
    {
        var inside = AnnotationRasterizer.Prepare(tissue, 1.0);
        var tumours = new List<AnnotationPolygon>();
        var exclusions = new List<AnnotationPolygon>();
        var count = rng.NextInt(1, 6);
        // Each failed placement shrinks the next draw a little, so small slides and small pieces still get their
        // lesions, down to a cluster of a few cells.
        var failures = 0;
        for (var attempt = 0; tumours.Count < count && attempt < 600; attempt++, failures++)
        {
            var piece = PickByArea(ref rng, pieces);
            // The first lesion is large for its piece; the rest spread log-uniformly down to ITC clusters.
            var upper = Math.Clamp(0.4 * piece.Radius, SmallestTumourRadius * 1.5, LargestTumourRadius);
            var radius = tumours.Count == 0
                ? rng.LogUniform(Math.Max(SmallestTumourRadius, 0.3 * upper), upper)
                : rng.LogUniform(SmallestTumourRadius, upper);
            radius = Math.Max(radius * Math.Pow(0.99, failures), TinyTumourRadius);
            var (s, c) = Math.SinCos(rng.Uniform(0, 2 * Math.PI));
            var d = Math.Sqrt(rng.NextDouble()) * piece.Radius;
            var centre = new PointD(piece.Centre.X + d * c, piece.Centre.Y + d * s);
            var shape = IrregularShape.Draw(ref rng, centre, radius, rng.Uniform(1, 1.8), rng.Uniform(0.2, 0.4), 0.03);
            var edge = Math.Clamp(radius / 8, 6, 60);
            var vertices = IrregularShape.VertexCount(shape, edge);
            // Inside tissue with a margin: the outline grown by 10% and 24 px, walked at fine steps, stays in tissue.
            var grown = IrregularShape.Vertices(shape, vertices * 4, 1.1 + 24 / radius);
            if (!grown.All(p => IsInside(inside, p))) continue;
            // A hole can lie wholly within the outline without touching its rim: test the holes' own vertices too.
            var grownRaster = AnnotationRasterizer.Prepare(new SlideAnnotations([new AnnotationPolygon("grown", AsapGroups.Tumour, grown)], []), 1.0);
            if (tissue.Exclusion.Any(hole => hole.Vertices.Any(p => IsInside(grownRaster, p)))) continue;
            failures = -1; // the loop's increment brings it to 0 for the next lesion
            tumours.Add(new AnnotationPolygon($"Annotation {tumours.Count}", AsapGroups.Tumour, IrregularShape.Vertices(shape, vertices)));

            // Large lesions sometimes hold normal tissue the annotator cut out, as CAMELYON16's _2 group does.
            if (radius > 1500 && rng.NextDouble() < 0.5)
            {
                var cut = IrregularShape.Draw(ref rng, centre, radius * rng.Uniform(0.08, 0.15), rng.Uniform(1, 1.4), 0.15, 0.02);
                exclusions.Add(new AnnotationPolygon($"Exclusion {exclusions.Count}", AsapGroups.Exclusion,
                    IrregularShape.Vertices(cut, IrregularShape.VertexCount(cut, 30))));
            }
        }
        if (tumours.Count == 0) throw new InvalidOperationException($"no tumour outline of {TinyTumourRadius} px or more fits inside the tissue of this slide");
        return new SlideAnnotations(tumours, exclusions);
    }

    private static IrregularShape.Spec PickByArea(ref SplitMix64 rng, List<IrregularShape.Spec> pieces)
    {
        var total = pieces.Sum(p => p.Radius * p.Radius * p.Aspect);
        var u = rng.NextDouble() * total;
        foreach (var piece in pieces)
        {
            u -= piece.Radius * piece.Radius * piece.Aspect;
            if (u < 0) return piece;
        }
        return pieces[^1];
    }

    private static bool IsInside(AnnotationRaster raster, PointD p)
    {
        Span<byte> label = stackalloc byte[1];
        raster.FillWindow((long)Math.Floor(p.X), (long)Math.Floor(p.Y), 1, 1, label);
        return label[0] != 0;
    }

    private static double Distance(PointD a, PointD b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
