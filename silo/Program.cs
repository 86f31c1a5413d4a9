using Microsoft.AspNetCore.Builder;
using OrleansPathology.Model;
using OrleansPathology.Silo.Hosting;

// One silo process. Settings come from appsettings.json, environment variables (Silo__Clustering,
// Silo__ConnectionString, Workers__Devices__0, Telemetry__Exporters, ...) and the command line (--Silo:Clustering=postgres).
// A web host only for /healthz, /ready and /metrics on Silo:HealthPort (8080; 0 turns them off), and the Orleans
// Dashboard there when Silo:OrleansDashboard is true.
// Before libtorch loads: its OpenMP threads read their wait policy once.
NativeRuntimeSettings.Apply();
var builder = WebApplication.CreateBuilder(args);
builder.AddPathologySilo();
builder.AddPathologyTelemetry(TelemetryHosting.SiloService, defaultExporters: TelemetryHosting.Prometheus, canServePrometheus: true);
builder.AddSiloEndpoints();
builder.AddOrleansDashboardWhenEnabled();
var app = builder.Build();
app.MapSiloEndpoints();
app.MapOrleansDashboardWhenEnabled();
await app.RunAsync();
