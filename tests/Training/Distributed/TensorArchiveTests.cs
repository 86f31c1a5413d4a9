using OrleansPathology.Training;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>The wire format of gradients and weights: exact round trip, and damage reported with the archive's origin.</summary>
public sealed class TensorArchiveTests
{
    [Fact]
    public void A_gradient_set_survives_encoding_bit_for_bit()
    {
        using var gradient = randn(3, 4, 5);
        using var bias = randn(7);
        using var count = tensor(new long[] { 42 });
        using var set = new GradientSet([("conv.weight", gradient.clone()), ("conv.bias", bias.clone())], [("bn.num_batches_tracked", count.clone())],
            samples: 6, lossSum: 4.25, correct: 5, hasNonFinite: false);

        var bytes = GradientSetArchive.Encode(set);
        using var back = GradientSetArchive.Decode(bytes, "test");

        Assert.Equal((6, 4.25, 5, false), (back.Samples, back.LossSum, back.Correct, back.HasNonFinite));
        Assert.Equal(["conv.weight", "conv.bias"], back.Gradients.Select(g => g.Name));
        Assert.True(back.Gradients[0].Value.eq(gradient).all().item<bool>());
        Assert.True(back.Gradients[1].Value.eq(bias).all().item<bool>());
        Assert.Equal(ScalarType.Int64, back.Buffers[0].Value.dtype);
        Assert.Equal(42L, back.Buffers[0].Value.item<long>());
    }

    [Fact]
    public void A_flipped_byte_or_a_truncated_archive_is_an_error_naming_the_origin()
    {
        using var value = randn(100);
        var bytes = TensorArchive.Encode([("w", value)], [("globalStep", 3)]);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        var damaged = Assert.Throws<TensorArchiveException>(() => TensorArchive.Decode(flipped, "node-b/cpu:0"));
        Assert.Contains("node-b/cpu:0", damaged.Message);
        Assert.Contains("checksum", damaged.Message);

        var truncated = Assert.Throws<TensorArchiveException>(() => TensorArchive.Decode(bytes.AsSpan(0, bytes.Length - 9), "weights v3"));
        Assert.StartsWith("weights v3: ", truncated.Message);

        var (tensors, scalars) = TensorArchive.Decode(bytes, "intact");
        Assert.Equal(3, scalars["globalStep"]);
        Assert.True(tensors.Single().Value.eq(value).all().item<bool>());
        tensors.Single().Value.Dispose();
    }
}
