namespace OrleansPathology.Slides;

/// <summary>
/// Whether reads near this one follow soon: it decides what the JPEG tile reader does with a tile that a read
/// covers only in part and that is not decoded already. OpenSlide reads ignore it.
/// </summary>
public enum ReadLocality
{
    /// <summary>
    /// Neighbouring reads follow (dense regions in plan order, windows in grid order, strips top to bottom): such tiles
    /// are decoded whole and kept in the decoded-tile cache for them.
    /// </summary>
    Neighbours,

    /// <summary>
    /// The read stands alone (random training windows, one region of a viewer): of such tiles only the part the read
    /// covers is decoded (columns cropped, rows above skipped by entropy decoding alone, rows below never decoded), and
    /// none is kept.
    /// </summary>
    Isolated,
}
