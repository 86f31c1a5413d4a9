using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Workers;

/// <summary>Worker options: bound from the Workers section, defaulted, announced as silo metadata, validated at start.</summary>
public sealed class WorkerHostingTests
{
    [Fact]
    public void TheWorkersSection_IsBound_AndAnnouncedAsSiloMetadata()
    {
        using var host = BuildSilo(new()
        {
            ["Workers:SiloName"] = "pod-7",
            ["Workers:Devices:0"] = "cpu:0",
            ["Workers:Devices:1"] = "cpu:1",
            ["Workers:Concurrency"] = "3",
            ["Workers:PollInterval"] = "00:00:02",
        });

        var options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var announced = host.Services.GetRequiredService<IOptions<SiloMetadata>>().Value.Metadata;

        Assert.Equal(("pod-7", 3, TimeSpan.FromSeconds(2)), (options.SiloName, options.Concurrency, options.PollInterval));
        Assert.Equal(["cpu:0", "cpu:1"], options.Devices);
        Assert.Equal("pod-7", announced[SiloMetadataKeys.SiloName]);
        Assert.Equal("cpu:0,cpu:1", announced[SiloMetadataKeys.Devices]);
    }

    [Fact]
    public void WithoutDevices_ACpuMachineGetsCpuWorkers_AndTheDelegateHasTheLastWord()
    {
        using var host = BuildSilo(new() { ["Workers:CpuWorkers"] = "2" }, o => o.SiloName = "from-code");

        var options = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal("from-code", options.SiloName);
        Assert.Equal(WorkerHosting.DefaultDevices(2), options.Devices);
        Assert.Equal((2, TimeSpan.FromMilliseconds(500), "fp32"), (options.Concurrency, options.PollInterval, options.Precision));
        if (!TorchSharp.torch.cuda.is_available()) Assert.Equal(["cpu:0", "cpu:1"], options.Devices);
    }

    [Fact]
    public void TheDefaultSiloName_IsTheMachineAndProcess()
    {
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", new WorkerOptions().SiloName);
    }

    [Theory]
    [InlineData("Workers:Devices:0", "gpu:0", "Workers:Devices entry 'gpu:0' is not cpu:N, cuda:N or sim:N")]
    [InlineData("Workers:SiloName", "rack/7", "Workers:SiloName must be non-empty without '/', ',' or spaces")]
    [InlineData("Workers:Precision", "fp8", "Workers:Precision must be fp32, bf16 or fp16")]
    [InlineData("Workers:Concurrency", "0", "Concurrency")]
    public async Task AWrongSetting_FailsTheSiloAtStart_NamingIt(string key, string value, string expected)
    {
        using var host = BuildSilo(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ADeviceListedTwice_IsInvalid()
    {
        var options = new WorkerOptions { Devices = ["cpu:0", "cpu:0"] };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Equal("Workers:Devices lists 'cpu:0' 2 times", Assert.Single(results).ErrorMessage);
    }

    private static IHost BuildSilo(Dictionary<string, string?> settings, Action<WorkerOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(TestPorts.Next(), TestPorts.Next())
            .AddInferenceWorkers(configure));
        return builder.Build();
    }
}
