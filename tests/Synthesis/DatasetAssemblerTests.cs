using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

public sealed class DatasetAssemblerTests
{
    [Fact]
    public void With_two_or_more_tumour_slides_validation_is_other_slides_and_each_part_is_balanced()
    {
        var slides = Enumerable.Range(0, 5).Select(i => Slide($"t{i}", tumour: 6, normal: 12, hasTumour: true))
            .Concat(Enumerable.Range(0, 5).Select(i => Slide($"n{i}", tumour: 0, normal: 12, hasTumour: false))).ToList();

        var dataset = DatasetAssembler.Assemble(slides);

        var training = dataset.Training.Select(e => e.Image).ToHashSet();
        var validation = dataset.Validation.Select(e => e.Image).ToHashSet();
        Assert.Empty(training.Intersect(validation));
        Assert.Equal(["n4", "t4"], validation.Order());
        Assert.Equal(24, dataset.Training.Count(e => e.Label[0] == 1));
        Assert.Equal(24, dataset.Training.Count(e => e.Label[0] == 0));
        Assert.Equal(6, dataset.Validation.Count(e => e.Label[0] == 1));
        Assert.Equal(6, dataset.Validation.Count(e => e.Label[0] == 0));
        // Normal patches come round-robin from every slide of the part, normal slides included.
        Assert.Contains(dataset.Training, e => e.Image == "n0" && e.Label[0] == 0);
    }

    [Fact]
    public void With_one_tumour_slide_validation_is_every_fifth_patch_of_each_label()
    {
        var dataset = DatasetAssembler.Assemble([Slide("t", tumour: 10, normal: 4, hasTumour: true), Slide("n", tumour: 0, normal: 20, hasTumour: false)]);

        Assert.Equal(8, dataset.Training.Count(e => e.Label[0] == 1));
        Assert.Equal(8, dataset.Training.Count(e => e.Label[0] == 0));
        Assert.Equal(2, dataset.Validation.Count(e => e.Label[0] == 1));
        Assert.Equal(2, dataset.Validation.Count(e => e.Label[0] == 0));
    }

    [Fact]
    public void Too_few_normal_patches_cut_the_tumour_patches_to_match()
    {
        var dataset = DatasetAssembler.Assemble([Slide("t", tumour: 10, normal: 3, hasTumour: true)]);
        var all = dataset.Training.Concat(dataset.Validation).ToList();
        Assert.Equal(3, all.Count(e => e.Label[0] == 1));
        Assert.Equal(3, all.Count(e => e.Label[0] == 0));
    }

    private static SlidePatches Slide(string image, int tumour, int normal, bool hasTumour) => new(image, hasTumour,
        Enumerable.Range(0, tumour).Select(i => new PatchCentre(1000 + i, 1000, 1)).ToList(),
        Enumerable.Range(0, normal).Select(i => new PatchCentre(2000 + i, 2000, 0)).ToList());
}
