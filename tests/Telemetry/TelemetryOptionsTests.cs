using Microsoft.Extensions.Options;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Telemetry;

public sealed class TelemetryOptionsTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("none", new string[0])]
    [InlineData("prometheus", new[] { "prometheus" })]
    [InlineData(" OTLP , console,prometheus ", new[] { "console", "otlp", "prometheus" })]
    public void Exporters_are_a_comma_separated_list(string text, string[] expected) =>
        Assert.Equal(expected, TelemetryHosting.ParseExporters(text, canServePrometheus: true).Order());

    [Fact]
    public void An_unknown_exporter_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => TelemetryHosting.ParseExporters("otlp,zipkin", canServePrometheus: true));
        Assert.Contains("Telemetry:Exporters lists 'zipkin'", error.Message);
    }

    [Fact]
    public void Prometheus_is_refused_where_no_metrics_endpoint_is_served()
    {
        var error = Assert.Throws<OptionsValidationException>(() => TelemetryHosting.ParseExporters("prometheus", canServePrometheus: false));
        Assert.Contains("only a silo process serves /metrics", error.Message);
    }
}
