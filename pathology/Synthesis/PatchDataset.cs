namespace OrleansPathology.Synthesis;

/// <summary>
/// dataset.json in the Clara Train / MONAI layout: <c>{"training": [...], "validation": [...]}</c>, each entry a
/// slide path (relative to the cohort folder), a level-0 patch centre and a one-element label list.
/// </summary>
public sealed record PatchDataset(IReadOnlyList<PatchEntry> Training, IReadOnlyList<PatchEntry> Validation)
{
    public const string FileName = "dataset.json";

    /// <summary>The patch edge the centres are chosen for, level-0 pixels: ResNet18's 224x224 input.</summary>
    public const int PatchSize = 224;
}

/// <summary>
/// One patch: <see cref="Location"/> is [x, y], the level-0 pixel at the patch CENTRE (MONAI's PatchWSIDataset
/// subtracts size // 2 to get the corner). Note the order: [x, y] as this project reads it; MONAI's own readers
/// take (row, column), so a MONAI pipeline must swap the two. <see cref="Label"/> is [1] tumour, [0] normal.
/// </summary>
public sealed record PatchEntry(string Image, long[] Location, int[] Label);
