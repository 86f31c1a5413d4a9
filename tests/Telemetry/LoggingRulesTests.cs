using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Telemetry;

/// <summary>A rule for Orleans (as k8s/base/settings.yaml sets) no longer silences this project's categories by prefix.</summary>
public sealed class LoggingRulesTests
{
    [Fact]
    public void AnOrleansRule_QuietensOrleans_ButNotThisProjectsCategories()
    {
        using var host = Host(new() { ["Logging:LogLevel:Default"] = "Information", ["Logging:LogLevel:Orleans"] = "Warning" });
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Orleans.Runtime.Silo").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("OrleansPathology.Grains.Slides.SlideGrain").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("OrleansPathology.Grains.Slides.SlideGrain").IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public void ARuleForThisProject_StillWins()
    {
        using var host = Host(new() { ["Logging:LogLevel:Orleans"] = "Warning", ["Logging:LogLevel:OrleansPathology.Grains.Slides"] = "Debug", ["Logging:LogLevel:OrleansPathology"] = "Error" });
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("OrleansPathology.Grains.Slides.SlideGrain").IsEnabled(LogLevel.Debug));
        Assert.False(loggers.CreateLogger("OrleansPathology.Grains.Maps.MapAssemblyGrain").IsEnabled(LogLevel.Warning));
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.KeepOwnCategories(LoggingRules.DefaultLevel(builder.Configuration));
        builder.Logging.AddProvider(new Security.CapturedLogs());
        return builder.Build();
    }
}
