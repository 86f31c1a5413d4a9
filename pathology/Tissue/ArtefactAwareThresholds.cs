namespace OrleansPathology.Tissue;

/// <summary>
/// The numbers <see cref="ArtefactAwareRule"/> compares against: the NCRF rule's Otsu thresholds, computed over
/// the pixels that are not artefacts, and <see cref="Faint"/>, the lower saturation threshold that wide faint
/// regions (weak eosin) must pass. <see cref="Glass"/> is the glass's own saturation that it was set from, and
/// <see cref="GlassBrightness"/> the glass's brightest channel (median): faint tissue absorbs, so it is no brighter.
/// </summary>
public sealed record ArtefactAwareThresholds(TissueThresholds Stained, byte Faint, byte Glass, byte GlassBrightness = byte.MaxValue);
