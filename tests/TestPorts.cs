using System.Net;
using System.Net.Sockets;

namespace OrleansPathology.Tests;

/// <summary>
/// TCP ports for the servers tests start (silos, gateways, health ports, PostgreSQL; bench/Scale's silo processes too). A
/// port the kernel hands out for port 0 lies in the ephemeral range, where any outgoing connection can take it before the
/// server binds it (CI saw a silo's health port taken so, and the silo abort); these lie below that range, are bindable
/// when handed out, and are never handed out twice by one run.
/// </summary>
internal static class TestPorts
{
    /// <summary>Ports from here up to the ephemeral range's start (Linux default 32768) are used.</summary>
    public const int First = 20000;

    private static readonly int Span = EphemeralStart() - First;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];
    // A random start, so test runs side by side on one machine seldom try the same ports.
    private static int _next = Random.Shared.Next(0, Span);

    /// <summary>A free port outside the ephemeral range, on loopback and on every address (Kestrel binds [::]).</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var tried = 0; tried < Span; tried++)
            {
                var port = First + _next;
                _next = (_next + 1) % Span;
                if (Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free TCP port from {First} to {First + Span - 1}");
    }

    /// <summary>The first port of the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>).</summary>
    public static int EphemeralStart()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        var first = File.Exists(Range) ? File.ReadAllText(Range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0] : "32768";
        return Math.Max(First + 1000, int.Parse(first, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool Bindable(int port)
    {
        try
        {
            using (var any = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true })
                any.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            using (var loopback = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                loopback.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
