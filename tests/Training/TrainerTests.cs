using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>
/// Short runs of the single-node trainer on the synthetic cohort: a few steps of 4 patches (224x224) each, so each
/// run takes seconds. Checks progress, loss curve, checkpoints, repeatability and resume.
/// </summary>
public sealed class TrainerTests(TrainingCohortFixture cohort) : IClassFixture<TrainingCohortFixture>
{
    private static TrainerOptions Options(string? checkpoints = null, int steps = 2) => new()
    {
        Epochs = 2,
        BatchSize = 4,
        SubBatches = 2,
        MaxStepsPerEpoch = steps,
        Seed = 21,
        ValidationBatchSize = 8,
        CheckpointDirectory = checkpoints,
    };

    [Fact]
    public async Task An_epoch_reports_steps_validates_and_writes_a_resumable_checkpoint()
    {
        var dir = TestData.NewTempDir("opath-trainer");
        try
        {
            using var trainer = new Trainer(cohort.Small(training: 16, validation: 6), Options(dir));
            var reports = new List<TrainingProgress>();
            var progress = new SynchronousProgress<TrainingProgress>(reports.Add);

            var result = await trainer.RunEpochAsync(progress);

            Assert.Equal(0, result.Epoch);
            Assert.Equal(2, result.Steps);
            Assert.Equal(8, result.Patches);
            Assert.Equal(2, result.StepLosses.Count);
            Assert.All(result.StepLosses, l => Assert.InRange(l, 0.0, 20.0));
            // The bundle's per-epoch cosine: the base rate holds through epoch 0.
            Assert.Equal([1e-3, 1e-3], result.LearningRates);
            Assert.Equal(6, result.Validation!.Samples);
            Assert.InRange(result.Validation.Accuracy, 0, 1);
            Assert.Equal([1, 2], reports.Where(r => r.Phase == TrainingPhase.Train).Select(r => r.Step));
            Assert.Contains(reports, r => r.Phase == TrainingPhase.Validate && r.Step == 1 && r.Steps == 1);
            Assert.Equal(2, trainer.GlobalStep);

            Assert.Equal(Path.Combine(dir, "epoch-001.torchsharp"), result.CheckpointPath);
            var card = ModelWeights.ReadCard(result.CheckpointPath!);
            Assert.Equal("trained", card.Provenance.Init);
            Assert.Equal(21, card.Provenance.Seed);
            Assert.Equal("1", card.Provenance.Training!["epochs"]);
            Assert.Equal(result.Validation.Accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture), card.Provenance.Training["validationAccuracy"]);
            Assert.Equal(cohort.DatasetPath, card.Provenance.Source);
            var state = TrainingCheckpoint.ReadState(Path.Combine(dir, "epoch-001.training.json"));
            Assert.Equal((1, 2L, 4L), (state.CompletedEpochs, state.GlobalStep, state.Schedule.TotalSteps));
            Assert.True(File.Exists(Path.Combine(dir, state.OptimizerState)));
            var (model, _) = ModelWeights.Load(result.CheckpointPath!);
            using (model) Assert.Equal(Weights(trainer.Model), Weights(model));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_same_seed_repeats_the_run_and_resuming_a_checkpoint_continues_it_exactly()
    {
        var dir = TestData.NewTempDir("opath-resume");
        try
        {
            // One step per epoch: two epochs straight, against one epoch, a checkpoint and a resumed second epoch.
            var dataset = cohort.Small(training: 16, validation: 0);
            float[] straight;
            IReadOnlyList<double> straightLosses;
            using (var trainer = new Trainer(dataset, Options(steps: 1)))
            {
                var first = await trainer.RunEpochAsync();
                var second = await trainer.RunEpochAsync();
                straight = Weights(trainer.Model);
                straightLosses = [.. first.StepLosses, .. second.StepLosses];
                await Assert.ThrowsAsync<InvalidOperationException>(() => trainer.RunEpochAsync());
            }

            IReadOnlyList<double> firstLosses;
            using (var trainer = new Trainer(dataset, Options(dir, steps: 1)))
            {
                firstLosses = (await trainer.RunEpochAsync()).StepLosses;
            }
            Assert.Equal(straightLosses.Take(1), firstLosses); // same seed, same run

            using var resumed = Trainer.Resume(dataset, Options(dir, steps: 1), Path.Combine(dir, "epoch-001.training.json"));
            Assert.Equal((1, 1L), (resumed.CompletedEpochs, resumed.GlobalStep));
            var last = await resumed.RunEpochAsync();
            Assert.Equal(straightLosses.Skip(1), last.StepLosses);
            Assert.Equal(straight, Weights(resumed.Model));
            Assert.Equal(2, resumed.History.Count);

            var mismatch = Assert.Throws<ArgumentException>(() => Trainer.Resume(dataset, Options(dir, steps: 1) with { Seed = 22 }, Path.Combine(dir, "epoch-001.training.json")));
            Assert.Contains("seed 21", mismatch.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_dataset_entry_outside_its_slide_stops_the_run_before_it_starts()
    {
        var bad = cohort.Dataset.Training[0] with { X = 10, Origin = "training[0]" };
        var dataset = cohort.Small(4, 0) with { Training = [bad, .. cohort.Dataset.Training.Skip(1).Take(3)] };

        var error = Assert.Throws<DatasetException>(() => new Trainer(dataset, Options()));
        Assert.Contains("training[0]", error.Message);
        Assert.Contains("location [10, ", error.Message);
    }

    [Fact]
    public void Options_name_the_bad_value()
    {
        Assert.Contains("sub-batches", Assert.Throws<ArgumentException>(() => Validate(Options() with { SubBatches = 5 })).Message);
        Assert.Contains("at least 2 patches", Assert.Throws<ArgumentException>(() => Validate(Options() with { SubBatches = 4 })).Message);
        Assert.Contains("fp16", Assert.Throws<ArgumentException>(() => Validate(Options() with { Device = new ComputeDevice("cpu", Precision.Fp16) })).Message);
        Validate(Options() with { SubBatches = 4, BatchNorm = BatchNormMode.Frozen });
    }

    private static int Validate(TrainerOptions options)
    {
        options.Validate();
        return 0;
    }

    private static float[] Weights(FcnResNet18 model) =>
        model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, so its reports could arrive late).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
