namespace OrleansPathology.Tissue;

/// <summary>
/// Which steps of <see cref="ArtefactAwareRule"/> run. <see cref="Default"/> is the rule itself; the others measure
/// each step's worth. Hole filling is weighed but off: it changed no drawn scene and filled real lumina that the
/// Otsu rule, and the truth, leave out.
/// </summary>
public sealed record ArtefactAwareSteps(bool Ink = true, bool Faint = true, bool Rims = true, bool Thin = true, bool Holes = false, bool FadedInk = true)
{
    public static ArtefactAwareSteps Default { get; } = new();
}
