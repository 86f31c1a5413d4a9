using Microsoft.Extensions.Hosting;

// The silo host. Clustering, storage and devices arrive with the cluster issue; until then it runs
// a single localhost silo so that the layout builds and starts end to end.
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseLocalhostClustering());
await builder.Build().RunAsync();
