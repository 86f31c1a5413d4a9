using OrleansPathology.Annotations;

namespace OrleansPathology.Synthesis;

/// <summary>
/// Star-shaped outlines with a lobulated rim: radius r(θ) = R·(1 + Σ a_k cos(kθ + φ_k)) with amplitudes falling as
/// k grows, stretched to an aspect ratio and rotated. Star-shaped keeps every outline simple (no self-crossing),
/// which even-odd filling needs for the mask to mean "inside".
/// </summary>
internal static class IrregularShape
{
    /// <summary>The parameters of one outline: the caller keeps them to test containment or scale the outline.</summary>
    public sealed record Spec(PointD Centre, double Radius, double Aspect, double Angle, double[] Amplitudes, double[] Phases, double Jitter, ulong JitterKey)
    {
        /// <summary>The largest distance from the centre any vertex can reach (a bound, not the exact maximum).</summary>
        public double MaxExtent => Radius * Aspect * (1 + Amplitudes.Sum(Math.Abs) + Jitter);
    }

    /// <summary>
    /// Draws a shape. <paramref name="roughness"/> scales the harmonic amplitudes (0.3 is lobulated, 0.1 nearly an
    /// ellipse); <paramref name="jitter"/> is per-vertex radial noise, a share of the radius, for a ragged rim.
    /// </summary>
    public static Spec Draw(ref SplitMix64 rng, PointD centre, double radius, double aspect, double roughness, double jitter)
    {
        const int harmonics = 7;
        var amplitudes = new double[harmonics];
        var phases = new double[harmonics];
        for (var k = 0; k < harmonics; k++)
        {
            // Harmonic k+2 (k+1 would only shift the centre); amplitude ~ k^-1.2 gives lobes at a few scales.
            amplitudes[k] = roughness * rng.Uniform(0.3, 1.0) * Math.Pow(k + 1, -1.2);
            phases[k] = rng.Uniform(0, 2 * Math.PI);
        }
        // Keep r(θ) > 0.35 R whatever the phases line up to.
        var sum = amplitudes.Sum();
        if (sum > 0.65) for (var k = 0; k < harmonics; k++) amplitudes[k] *= 0.65 / sum;
        return new Spec(centre, radius, aspect, rng.Uniform(0, Math.PI), amplitudes, phases, jitter, rng.NextUInt64());
    }

    /// <summary>The outline with <paramref name="count"/> vertices, scaled by <paramref name="scale"/> about the centre, rounded to 1/100 pixel as annotation files carry.</summary>
    public static List<PointD> Vertices(Spec spec, int count, double scale = 1.0)
    {
        var (sinA, cosA) = Math.SinCos(spec.Angle);
        var vertices = new List<PointD>(count);
        for (var i = 0; i < count; i++)
        {
            var theta = 2 * Math.PI * i / count;
            var r = 1.0;
            for (var k = 0; k < spec.Amplitudes.Length; k++) r += spec.Amplitudes[k] * Math.Cos((k + 2) * theta + spec.Phases[k]);
            // Jitter from a hash of the vertex index, so a scaled copy of the outline has the same rim.
            var u = (SplitMix64.Hash(spec.JitterKey, i, 0) >> 11) * (1.0 / (1UL << 53));
            r *= 1 + spec.Jitter * (2 * u - 1);
            r *= spec.Radius * scale;
            var (s, c) = Math.SinCos(theta);
            var x = r * c * spec.Aspect;
            var y = r * s;
            vertices.Add(new PointD(
                Math.Round(spec.Centre.X + x * cosA - y * sinA, 2),
                Math.Round(spec.Centre.Y + x * sinA + y * cosA, 2)));
        }
        return vertices;
    }

    /// <summary>A vertex count that keeps edges near <paramref name="edgeLength"/> pixels, within [16, 720].</summary>
    public static int VertexCount(Spec spec, double edgeLength)
    {
        var perimeter = 2 * Math.PI * spec.Radius * (1 + spec.Aspect) / 2;
        return (int)Math.Clamp(perimeter / edgeLength, 16, 720);
    }
}
