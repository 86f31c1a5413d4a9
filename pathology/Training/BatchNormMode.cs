namespace OrleansPathology.Training;

/// <summary>How BatchNorm behaves while gradients are computed on sub-batches.</summary>
public enum BatchNormMode
{
    /// <summary>
    /// Train mode, as the bundle trains: each sub-batch is normalised by its own statistics, and the running
    /// statistics it produces are averaged over the sub-batches of a step (running_mean then equals one update with
    /// the whole batch's mean; running_var with the mean of the sub-batch variances). The gradients of K sub-batches
    /// therefore differ from those of one batch of all their samples, as with per-GPU BatchNorm in PyTorch DDP
    /// (no SyncBatchNorm). Measured on synthetic-cohort patches, batch 32: the averaged gradient of 2 sub-batches of 16
    /// has cosine 0.70 to 0.77 with the whole batch's (4 of 8: 0.60 to 0.64), while two different batches of 32 agree
    /// only to 0.40 to 0.55; so the difference is below the batch's own sampling noise, but no float tolerance covers
    /// it. Keep sub-batches at 16 or more, or use <see cref="Frozen"/> where updates must match exactly.
    /// </summary>
    PerSubBatch,

    /// <summary>
    /// BatchNorm in eval mode (running statistics, not updated; affine weights still learn), as when fine-tuning
    /// with frozen statistics. Every sample's gradient is then independent of the others, so K sub-batches give the
    /// same update as one batch up to float rounding.
    /// </summary>
    Frozen,
}

/// <summary>The one place BatchNorm mode names are read: <c>train</c> (per sub-batch) and <c>frozen</c>.</summary>
public static class BatchNormModes
{
    public static BatchNormMode Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "train" or "persubbatch" => BatchNormMode.PerSubBatch,
        "frozen" => BatchNormMode.Frozen,
        _ => throw new ArgumentException($"BatchNorm mode must be train or frozen (got '{text}')"),
    };

    public static string Name(BatchNormMode mode) => mode == BatchNormMode.Frozen ? "frozen" : "train";
}
