using System.Data.Common;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Lets a grain call's failure reach its caller with its reason. Orleans serialises the exceptions of its own, .NET's
/// and Microsoft's namespaces; one from elsewhere in the chain (Npgsql's PostgresException when the database refuses a
/// state write) failed the response with "Could not find a codec", hiding the reason. Such a failure is passed on as
/// one exception whose message holds the grain, the method and the whole chain: an <see cref="IOException"/> for a
/// database error (the CLI prints it as one line), else an <see cref="InvalidOperationException"/>.
/// </summary>
internal sealed class PortableFaultFilter : IIncomingGrainCallFilter
{
    private static readonly string[] PortableNamespaces = ["System", "Microsoft", "Orleans", "OrleansPathology"];

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (!IsPortable(ex))
        {
            var chain = Chain(ex).ToList();
            var reason = $"{context.TargetId} {context.ImplementationMethod.Name}: {string.Join(" ---> ", chain.Select(e => $"{e.GetType().Name}: {e.Message}"))}";
            throw chain.Any(e => e is DbException) ? new IOException(reason) : new InvalidOperationException(reason);
        }
    }

    /// <summary>Whether every exception in the chain is of a namespace Orleans serialises.</summary>
    public static bool IsPortable(Exception exception) =>
        Chain(exception).All(e => e.GetType().Namespace is { } ns && PortableNamespaces.Any(p => ns == p || ns.StartsWith(p + ".", StringComparison.Ordinal)));

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(exception.InnerException is { } one ? [one] : []);
        foreach (var e in inner.SelectMany(Chain)) yield return e;
    }
}
