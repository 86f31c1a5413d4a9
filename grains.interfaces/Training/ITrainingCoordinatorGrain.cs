namespace OrleansPathology.Grains;

/// <summary>
/// One training run (key: the run id), synchronous data parallelism: each step cuts one global batch into
/// <see cref="TrainingRunSpec.Workers"/> slices, has the live <see cref="ITrainerGrain"/>s compute them, averages their
/// gradients, takes one optimizer step and publishes the new weights for the next step. After every epoch it validates
/// and writes a checkpoint (files in the run directory, the run's state in grain storage). Its state survives its silo:
/// after a crash the silos' revival pass (which calls every run <see cref="ITrainingRegistryGrain"/> lists), or any other
/// call, reactivates it elsewhere and it resumes from the last checkpoint.
/// </summary>
[Alias("opath.ITrainingCoordinatorGrain")]
public interface ITrainingCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (idempotent for the same spec); a different spec under a running run's id is an error.</summary>
    [Alias("Start")]
    Task<TrainingStatus> StartAsync(TrainingRunSpec spec);

    /// <summary>Where the run stands, or null when no run has this id. Reactivates and resumes a run whose silo died.</summary>
    [Alias("GetStatus")]
    Task<TrainingStatus?> GetStatusAsync();
}
