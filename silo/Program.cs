using Microsoft.AspNetCore.Builder;
using OrleansPathology.Silo.Hosting;

// One silo process. Settings come from appsettings.json, environment variables (Silo__Clustering,
// Silo__ConnectionString, Workers__Devices__0, Telemetry__Exporters, ...) and the command line (--Silo:Clustering=postgres).
// A web host only for /healthz, /ready and /metrics on Silo:HealthPort (8080; 0 turns them off).
var builder = WebApplication.CreateBuilder(args);
builder.AddPathologySilo();
builder.AddPathologyTelemetry(TelemetryHosting.SiloService, defaultExporters: TelemetryHosting.Prometheus, canServePrometheus: true);
builder.AddSiloEndpoints();
var app = builder.Build();
app.MapSiloEndpoints();
await app.RunAsync();
