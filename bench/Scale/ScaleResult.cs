using System.Text.Json.Serialization;

namespace OrleansPathology.Bench.Scale;

/// <summary>What one run measured; serialised as the JSON line scale.sh --json prints last.</summary>
public sealed record ScaleResult(
    [property: JsonPropertyName("silos")] int Silos,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("batch_ms")] int BatchMs,
    [property: JsonPropertyName("storage")] string Storage,
    [property: JsonPropertyName("slides")] int Slides,
    [property: JsonPropertyName("batches")] int Batches,
    [property: JsonPropertyName("cells")] long Cells,
    [property: JsonPropertyName("work_seconds")] double WorkSeconds,
    [property: JsonPropertyName("cohort_seconds")] double CohortSeconds,
    [property: JsonPropertyName("batches_per_s")] double BatchesPerSecond,
    [property: JsonPropertyName("cells_per_s")] double CellsPerSecond,
    [property: JsonPropertyName("utilisation_min")] double UtilisationMin,
    [property: JsonPropertyName("utilisation_mean")] double UtilisationMean,
    [property: JsonPropertyName("ideal_batches_per_s")] double IdealBatchesPerSecond,
    [property: JsonPropertyName("process_cpu_ms_per_batch")] double ProcessCpuMsPerBatch,
    [property: JsonPropertyName("pixel_work_cpu_ms_per_batch")] double PixelWorkCpuMsPerBatch,
    [property: JsonPropertyName("coordination_cpu_ms_per_batch")] double CoordinationCpuMsPerBatch,
    [property: JsonPropertyName("idle_cpu_ms_per_s")] double IdleCpuMsPerSecond,
    [property: JsonPropertyName("marginal_cpu_ms_per_batch")] double MarginalCpuMsPerBatch,
    [property: JsonPropertyName("db_round_trips_per_batch")] double? DbRoundTripsPerBatch,
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("silo_processes")] bool SiloProcesses = false);
