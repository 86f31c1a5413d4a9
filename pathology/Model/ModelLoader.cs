using TorchSharp;

namespace OrleansPathology.Model;

/// <summary>Readies a model for inference on a device and precision: evaluation mode, cast once.</summary>
public static class ModelLoader
{
    /// <summary>
    /// Moves and casts a model for inference. BatchNorm runs in eval mode (running statistics), so
    /// casting to bf16/fp16 changes only rounding, not behaviour.
    /// </summary>
    public static FcnResNet18 PrepareForInference(FcnResNet18 model, ComputeDevice device)
    {
        model.eval();
        model.to(device.TorchDevice);
        if (device.Precision != Precision.Fp32) model.to(device.ScalarType);
        return model;
    }
}
