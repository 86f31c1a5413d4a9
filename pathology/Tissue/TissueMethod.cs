namespace OrleansPathology.Tissue;

/// <summary>Which rule makes a tissue mask.</summary>
public enum TissueMethod
{
    /// <summary>
    /// NCRF's and MONAI's rule exactly (<see cref="TissueRule"/>): Otsu on saturation and RGB over the whole image.
    /// Kept for parity with the reference; it takes pen ink for tissue and loses faint tissue.
    /// </summary>
    Otsu,

    /// <summary>
    /// <see cref="ArtefactAwareRule"/>: pen ink and dark debris taken out before Otsu, faint tissue found by a
    /// second, lower threshold, thin rims and specks removed. The default.
    /// </summary>
    Robust,
}

/// <summary>The command-line names of <see cref="TissueMethod"/>: <c>otsu</c> and <c>robust</c>.</summary>
public static class TissueMethods
{
    public static string Name(TissueMethod method) => method switch
    {
        TissueMethod.Otsu => "otsu",
        TissueMethod.Robust => "robust",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Parses <c>otsu</c> or <c>robust</c> (any case); anything else is an <see cref="ArgumentException"/> naming both.</summary>
    public static TissueMethod Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "otsu" => TissueMethod.Otsu,
        "robust" => TissueMethod.Robust,
        _ => throw new ArgumentException($"unknown tissue method '{name}': use otsu (the NCRF/MONAI rule) or robust (artefact-aware)", nameof(name)),
    };
}
