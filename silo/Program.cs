using Microsoft.Extensions.Hosting;
using OrleansPathology.Silo.Hosting;

// One silo process. Settings come from appsettings.json, environment variables (Silo__Clustering,
// Silo__ConnectionString, Workers__Devices__0, ...) and the command line (--Silo:Clustering=postgres).
var builder = Host.CreateApplicationBuilder(args);
builder.AddPathologySilo();
await builder.Build().RunAsync();
