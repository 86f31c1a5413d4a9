using Microsoft.Extensions.Hosting;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// The lifetime of a host that a command starts (an embedded silo, a cluster client): it listens to no signal. The
/// command owns Ctrl+C (see <see cref="OpathCommand.InvokeAsync"/>): it stops what it runs in order and then stops the
/// host, instead of the console lifetime stopping the silo under the command while it still uses it.
/// </summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
