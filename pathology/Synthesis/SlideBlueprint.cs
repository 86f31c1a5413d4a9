using OrleansPathology.Annotations;

namespace OrleansPathology.Synthesis;

/// <summary>
/// The layout of one synthetic slide before any pixel exists: its size, its tissue pieces (with holes, as
/// exclusions) and its tumour outlines, all in level-0 pixels. Tissue and tumour use the annotation types so that
/// the same rasteriser decides "inside" for pixels, masks and ground truth.
/// </summary>
internal sealed record SlideBlueprint(
    string Id,
    int Index,
    long Width,
    long Height,
    ulong Key,
    SlideAnnotations Tissue,
    SlideAnnotations Tumour)
{
    public bool HasTumour => Tumour.Tumour.Count > 0;
}
