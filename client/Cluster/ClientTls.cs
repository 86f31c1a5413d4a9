using Microsoft.Extensions.Configuration;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// TLS from the client to the gateways when section <c>Client:Tls</c> names a certificate (<c>Client__Tls__CertificatePath</c>,
/// <c>Client__Tls__KeyPath</c>, <c>Client__Tls__CaPath</c>, and the password through <c>Client__Tls__Password</c> or
/// <c>Client__Tls__PasswordFile</c>): the same settings as a silo's <c>Silo:Tls</c>.
/// </summary>
internal static class ClientTls
{
    /// <summary>Adds TLS when configured; a certificate that cannot be used is an <see cref="ArgumentException"/> naming the setting.</summary>
    public static IClientBuilder UseConfiguredTls(this IClientBuilder client, IConfiguration configuration)
    {
        var options = configuration.GetSection(TlsHosting.ClientSectionName).Get<TlsCertificateOptions>();
        if (options is not { Enabled: true }) return client;
        try
        {
            return client.UsePathologyTls(options);
        }
        catch (TlsCertificateException ex)
        {
            // A setting the user gave: reported as bad input (exit code 2), in one line.
            throw new ArgumentException(ex.Message, ex);
        }
    }
}
