using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// A batch of patches as read (and augmented): <see cref="Count"/> interleaved-RGB patches back to back, their labels
/// and their indices in the training list. Plain arrays, so a batch can cross a process boundary as it is.
/// </summary>
public sealed record PatchBatch(int Epoch, int Step, int[] Indices, byte[] Rgb, float[] Labels, int PatchSize)
{
    public int Count => Indices.Length;

    private int PatchBytes => PatchSize * PatchSize * 3;

    /// <summary>The patches <paramref name="start"/> .. start + length - 1, copied.</summary>
    public PatchBatch Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (start + length > Count) throw new ArgumentOutOfRangeException(nameof(length), $"{start}+{length} is past the {Count} patches of the batch");
        return this with
        {
            Indices = Indices[start..(start + length)],
            Rgb = Rgb.AsSpan(start * PatchBytes, length * PatchBytes).ToArray(),
            Labels = Labels[start..(start + length)],
        };
    }

    /// <summary>Network input [N, 3, S, S] scaled to [-1, 1] (<see cref="PatchTensor"/>).</summary>
    public Tensor Inputs(Device device, ScalarType scalarType) => PatchTensor.FromRgb(Rgb, Count, PatchSize, PatchSize, device, scalarType);

    /// <summary>Labels as a float32 [N] tensor.</summary>
    public Tensor Targets(Device device) => tensor(Labels, [Count], ScalarType.Float32).to(device);
}
