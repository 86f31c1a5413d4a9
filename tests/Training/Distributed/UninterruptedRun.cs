using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// A cluster run's maths computed in this process, with no cluster and no fault: every step the coordinator's slices of
/// the global batch computed by one <see cref="SliceTrainer"/>, their gradients averaged and applied by a
/// <see cref="TrainingMaster"/>, epoch after epoch. With BatchNorm frozen a cluster run, interrupted or not, ends here.
/// </summary>
public static class UninterruptedRun
{
    /// <summary>The master after every epoch and step of <paramref name="spec"/> on <paramref name="dataset"/> (the caller disposes it).</summary>
    public static TrainingMaster Train(TrainingDataset dataset, TrainingRunSpec spec)
    {
        var options = TrainingRunOptions.ForCoordinator(spec);
        var master = TrainingMaster.Create(dataset, options);
        var weights = Path.Combine(Path.GetTempPath(), $"opath-reference-{Guid.NewGuid():N}.tensors");
        try
        {
            using var worker = new SliceTrainer(dataset, options);
            for (var epoch = 0; epoch < spec.Epochs; epoch++)
            {
                var plan = EpochPlan.Create(dataset.Training.Count, spec.Seed, epoch, spec.BatchSize, options.DropLast);
                for (var step = 0; step < master.StepsPerEpoch; step++)
                {
                    master.WriteWeights(weights);
                    worker.LoadWeights(weights, master.GlobalStep);
                    var count = plan.Batch(step).Length;
                    var sets = EpochPlan.Split(count, Math.Min(spec.Workers, count))
                        .Select(s => worker.Compute(epoch, step, s.Start, s.Length, master.LossScale).Gradients).ToList();
                    try
                    {
                        master.Apply(sets);
                    }
                    finally
                    {
                        foreach (var set in sets) set.Dispose();
                    }
                }
            }
            return master;
        }
        catch
        {
            master.Dispose();
            throw;
        }
        finally
        {
            File.Delete(weights);
        }
    }

    /// <summary>The largest absolute difference between any parameter of the weights file at <paramref name="path"/> and the reference's.</summary>
    public static float LargestDifference(string path, TrainingMaster reference)
    {
        var (trained, _) = ModelWeights.Load(path);
        using (trained)
        {
            var expected = reference.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            return trained.named_parameters().Max(p => (p.parameter - expected[p.name]).abs().max().item<float>());
        }
    }
}
