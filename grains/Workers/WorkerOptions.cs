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

    /// <summary>How long an idle worker waits before asking for work again. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often the silo starts its workers again (start is idempotent), reviving a worker whose activation
    /// was lost. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Precision for work items that name none (<c>fp32</c>, <c>bf16</c> or <c>fp16</c>). Default fp32.</summary>
    [Required, RegularExpression("^(fp32|bf16|fp16)$", ErrorMessage = "Workers:Precision must be fp32, bf16 or fp16")]
    public string Precision { get; set; } = "fp32";

    /// <summary>Slides kept open per silo (least recently used are closed). Default 8.</summary>
    [Range(1, 1024)]
    public int OpenSlides { get; set; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Devices.Count == 0)
            yield return new ValidationResult("Workers:Devices is empty (list cpu:N or cuda:N entries)", [nameof(Devices)]);
        foreach (var device in Devices.Where(d => !WorkerDevices.IsValid(d)))
            yield return new ValidationResult($"Workers:Devices entry '{device}' is not cpu:N or cuda:N", [nameof(Devices)]);
        foreach (var duplicate in Devices.GroupBy(d => d, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return new ValidationResult($"Workers:Devices lists '{duplicate.Key}' {duplicate.Count()} times", [nameof(Devices)]);
    }
}
