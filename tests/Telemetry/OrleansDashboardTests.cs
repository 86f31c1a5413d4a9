using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Telemetry;

/// <summary>
/// The Orleans Dashboard behind <c>Silo:OrleansDashboard</c>, on real silo processes (as <c>silo/Program.cs</c> wires it):
/// served under <c>/orleans</c> on the health port when on, absent when off, and the health endpoints unchanged either way.
/// </summary>
public sealed class OrleansDashboardTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly string _dir = TestData.NewTempDir("opath-orleans-dashboard");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_Orleans_Dashboard_is_served_on_the_health_port_only_when_the_setting_is_on()
    {
        var (onPort, offPort) = (TestPorts.Next(), TestPorts.Next());
        using var on = Start("dashboard-on", onPort, new() { ["Silo__OrleansDashboard"] = "true" });
        using var off = Start("dashboard-off", offPort, []);
        await Task.WhenAll(on.WaitStartedAsync(StartTimeout), off.WaitStartedAsync(StartTimeout));
        using var http = new HttpClient();

        var page = await http.GetAsync($"http://127.0.0.1:{onPort}{OrleansDashboardSettings.DefaultPath}/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {OrleansDashboardSettings.DefaultPath}/ answered {(int)page.StatusCode}\n{on.Tail()}");
        Assert.StartsWith("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Orleans", html, StringComparison.OrdinalIgnoreCase);

        var absent = await http.GetAsync($"http://127.0.0.1:{offPort}{OrleansDashboardSettings.DefaultPath}/");
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        foreach (var port in new[] { onPort, offPort })
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}{HealthHosting.LivenessPath}")).StatusCode);
    }

    [Fact]
    public void A_dashboard_path_that_would_hide_another_endpoint_fails_the_start_naming_the_setting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:OrleansDashboard"] = "true",
            ["Silo:OrleansDashboardPath"] = "/metrics/",
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOrleansDashboardWhenEnabled());

        Assert.Contains("Silo:OrleansDashboardPath", error.Message);
        Assert.Contains("'/metrics/'", error.Message);
    }

    /// <summary>One silo process on its own ports, localhost clustering, a simulated device (nothing to load).</summary>
    private SiloProcess Start(string name, int healthPort, Dictionary<string, string> extra)
    {
        var siloPort = TestPorts.Next();
        var settings = new Dictionary<string, string>
        {
            ["Silo__SiloPort"] = siloPort.ToString(),
            ["Silo__GatewayPort"] = TestPorts.Next().ToString(),
            ["Silo__HealthPort"] = healthPort.ToString(),
            ["Workers__SiloName"] = name,
            ["Workers__Devices__0"] = "sim:0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return SiloProcess.Start(name, siloPort, settings, _dir);
    }
}
