using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class PenInkTests
{
    [Theory]
    // Marker ink as drawn by the artefact scenes, and as measured in histolab's pen tiles.
    [InlineData(40, 60, 175, ArtefactColour.Blue)]
    [InlineData(125, 198, 185, ArtefactColour.Green)] // no-tissue-green-pen.png, mean colour
    [InlineData(60, 76, 97, ArtefactColour.Dark)] // the dark blue-green strokes of medium-nuclei-score-green-pen-level1.png: dull enough for black
    [InlineData(90, 140, 125, ArtefactColour.Green)] // green marker thinly over tissue
    [InlineData(188, 77, 89, ArtefactColour.Red)] // no-tissue-red-pen.png, hue 350-360 mean
    [InlineData(126, 64, 80, ArtefactColour.Red)] // no-tissue-red-pen.png, its dark crimson strokes
    [InlineData(28, 28, 34, ArtefactColour.Dark)] // black marker
    [InlineData(54, 44, 56, ArtefactColour.Dark)] // black marker over tissue, tinted by it
    [InlineData(92, 84, 98, ArtefactColour.Dark)] // an air bubble's rim
    [InlineData(100, 88, 80, ArtefactColour.Dark)] // grey-brown dust
    public void Ink_and_debris_are_told_by_colour(int r, int g, int b, ArtefactColour expected) =>
        Assert.Equal(expected, PenInk.Of((byte)r, (byte)g, (byte)b));

    [Theory]
    [InlineData(226, 150, 190)] // eosin
    [InlineData(140, 95, 168)] // haematoxylin
    [InlineData(84, 54, 108)] // dense nuclei at 64x (high-nuclei-score-red-pen-level1.png, hue 240-280)
    [InlineData(218, 123, 134)] // saturated eosin, hue 350-360 (medium-nuclei-score-level1.png)
    [InlineData(157, 66, 127)] // a fold: eosin-haematoxylin at two and a half times the thickness
    [InlineData(123, 99, 131)] // dull purple tissue of CMU-1 at 64x, saturation 0.24
    [InlineData(124, 132, 153)] // IHC kidney: haematoxylin counterstain, green just above red
    [InlineData(238, 218, 231)] // faint eosin
    [InlineData(242, 240, 243)] // glass: not an artefact either (the rule's thresholds decide)
    public void Stains_and_glass_are_not_artefacts(int r, int g, int b) =>
        Assert.Equal(ArtefactColour.None, PenInk.Of((byte)r, (byte)g, (byte)b));
}
