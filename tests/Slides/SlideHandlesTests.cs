using OrleansPathology.Grains.Workers;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Workers;

/// <summary>The silo's open slides: reused while open, least recently used closed, never closed under a reader.</summary>
public sealed class SlideHandlesTests
{
    private static readonly string Small = TestData.Slide("CMU-1-Small-Region.svs");
    private static readonly string Other = TestData.Slide("small.svs");

    [Fact]
    public void OpeningAnOpenSlide_ReusesItsHandle()
    {
        using var slides = new SlideHandles(capacity: 2);

        using var first = slides.Open(Small);
        using var second = slides.Open(Small);

        Assert.Same(first.Slide, second.Slide);
        Assert.Equal(1, slides.Count);
    }

    [Fact]
    public void BeyondCapacity_TheLeastRecentlyUsedIsClosed_ButOnlyOnceItsLastReaderIsDone()
    {
        using var slides = new SlideHandles(capacity: 1);
        var reading = slides.Open(Small);

        using (slides.Open(Other))
        {
            Assert.Equal(1, slides.Count);
            // Evicted, but still leased: it stays open for its reader.
            Assert.Equal(16 * 16 * 3, reading.Slide.ReadRegion(0, 0, 0, 16, 16).Pixels.Length);
        }
        reading.Dispose();
        reading.Dispose(); // a lease is released once

        using var reopened = slides.Open(Small);
        Assert.NotSame(reading.Slide, reopened.Slide);
        Assert.Equal(1, slides.Count);
    }

    [Fact]
    public void ASlideThatCannotBeOpened_FailsNamingIt_AndIsNotCached()
    {
        using var slides = new SlideHandles(capacity: 2);
        var broken = TestData.Slide("broken.svs");

        var error = Assert.ThrowsAny<SlideException>(() => slides.Open(broken));

        Assert.Contains(broken, error.Message);
        Assert.Equal(0, slides.Count);
    }
}
