namespace OrleansPathology.Grains;

/// <summary>A submitted cohort of slides, keyed by cohort id. The client's entry point.</summary>
[Alias("opath.ICohortGrain")]
public interface ICohortGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts scoring the cohort. Idempotent: submitting the same spec again returns the current status;
    /// a different spec under the same id is refused.
    /// </summary>
    [Alias("Submit")]
    Task<CohortStatus> SubmitAsync(CohortSpec spec);

    /// <summary>The cohort's state and every slide's progress.</summary>
    [Alias("GetStatus")]
    Task<CohortStatus?> GetStatusAsync();

    /// <summary>Stops all unfinished slides; finished slides keep their outputs.</summary>
    [Alias("Cancel")]
    Task<CohortStatus?> CancelAsync();

    /// <summary>Called by a slide grain when its slide finishes, fails or is cancelled.</summary>
    [Alias("SlideFinished")]
    Task SlideFinishedAsync(SlideProgress outcome);
}
