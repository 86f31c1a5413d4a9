using OrleansPathology.Model;
using OrleansPathology.Inference;
using System.ComponentModel.DataAnnotations;

namespace OrleansPathology.Grains.Workers;

/// <summary>
/// The inference workers of one silo (section <see cref="SectionName"/>). Read by the silo's hosting, which
/// announces <see cref="SiloName"/> and <see cref="Devices"/> in the silo metadata, and by each worker grain.
/// </summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string SectionName = "Workers";

    /// <summary>
    /// The silo's stable name, the first segment of its worker keys (<c>{SiloName}/{device}</c>).
    /// Default: machine name and process id; set it to the pod name on Kubernetes (<c>Workers__SiloName=$(POD_NAME)</c>).
    /// </summary>
    [Required, RegularExpression(@"^[^/,\s]+$", ErrorMessage = "Workers:SiloName must be non-empty without '/', ',' or spaces")]
    public string SiloName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// One worker per entry, <c>cuda:N</c> or <c>cpu:N</c>. Default (left empty): <c>cuda:0..N-1</c> when TorchSharp
    /// sees CUDA devices, else <see cref="CpuWorkers"/> entries <c>cpu:0..</c>.
    /// </summary>
    public List<string> Devices { get; set; } = [];

    /// <summary>CPU workers when no devices are listed and there is no CUDA device. Default 1.</summary>
    [Range(1, 64)]
    public int CpuWorkers { get; set; } = 1;

    /// <summary>Batches in flight per worker. Default 2: one being read while one computes.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 2;

    /// <summary>
    /// How long a worker that got fewer batches than it asked for waits before asking the listed slides again. With no
    /// slide to ask, it waits for the silo's next read of the directory instead (<see cref="DirectoryRefresh"/>). Default 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long the silo's list of slides with work (read from the work directory, shared by its workers) is used
    /// before it is read again; also the longest a slide that had nothing to lease is left alone. Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DirectoryRefresh { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How <c>sim:N</c> devices behave: <c>Workers:Simulation:BatchTime</c>, <c>CellTime</c>, <c>ReadPixels</c>.</summary>
    public SimulationSettings Simulation { get; set; } = new();

    /// <summary>
    /// How often the silo starts its workers again (start is idempotent), reviving a worker whose activation
    /// was lost. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Precision for work items that name none (<c>fp32</c>, <c>bf16</c> or <c>fp16</c>). Default fp32.</summary>
    [Required]
    public string Precision { get; set; } = "fp32";

    /// <summary>Slides kept open per silo (least recently used are closed). Default 8.</summary>
    [Range(1, 1024)]
    public int OpenSlides { get; set; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Devices.Count == 0)
            yield return new ValidationResult("Workers:Devices is empty (list cpu:N or cuda:N entries)", [nameof(Devices)]);
        foreach (var device in Devices.Where(d => !DeviceName.TryParse(d, out _)))
            yield return new ValidationResult($"Workers:Devices entry '{device}' is not cpu:N, cuda:N or sim:N", [nameof(Devices)]);
        if (!Precisions.TryParse(Precision, out _))
            yield return new ValidationResult($"Workers:Precision must be fp32, bf16 or fp16 (got '{Precision}')", [nameof(Precision)]);
        foreach (var duplicate in Devices.GroupBy(d => d, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return new ValidationResult($"Workers:Devices lists '{duplicate.Key}' {duplicate.Count()} times", [nameof(Devices)]);
    }
}

/// <summary>Settings of simulated devices (see <see cref="SimulatedDeviceOptions"/>), bindable from configuration.</summary>
public sealed class SimulationSettings
{
    /// <summary>Time per batch. Default 100 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan BatchTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Time added per cell. Default zero.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CellTime { get; set; } = TimeSpan.Zero;

    /// <summary>Read each batch's pixels from the slide as a real device must. Default false.</summary>
    public bool ReadPixels { get; set; }

    public SimulatedDeviceOptions ToDomain() => new() { BatchTime = BatchTime, CellTime = CellTime, ReadPixels = ReadPixels };
}
