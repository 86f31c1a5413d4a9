using System.ComponentModel.DataAnnotations;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// TLS for Orleans connections: section <c>Silo:Tls</c> for silos (silo-to-silo and gateway), <c>Client:Tls</c> for
/// <c>opath</c> connecting to a gateway. Certificates come from files, such as a Kubernetes <c>kubernetes.io/tls</c>
/// secret mounted as a volume (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>). Unset <see cref="CertificatePath"/>: no TLS.
/// </summary>
public sealed class TlsCertificateOptions
{
    /// <summary>This node's certificate: PKCS#12 (<c>.pfx</c>, <c>.p12</c>) or PEM (<c>tls.crt</c>). Unset (the default): TLS off.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key (<c>tls.key</c>) of a PEM certificate. Default: a key in the certificate file itself.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Password of the PKCS#12 file or of an encrypted PEM key. Give it through the environment
    /// (<c>Silo__Tls__Password</c>, from a secret) or <see cref="PasswordFile"/>, never in a committed file. Default: none.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>A file holding the password (a mounted secret), read when <see cref="Password"/> is unset.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// PEM bundle of the certificate authorities whose certificates peers must present (<c>ca.crt</c>). Unset (the
    /// default): peers must present this node's own certificate (one certificate shared by the whole cluster).
    /// </summary>
    public string? CaPath { get; set; }

    /// <summary>
    /// Silos only: <c>require</c> (the default) refuses clients and silos that present no certificate; <c>allow</c>
    /// accepts them (still encrypted), for a migration.
    /// </summary>
    [RegularExpression("^(require|allow)$", ErrorMessage = "Silo:Tls:ClientCertificateMode must be 'require' or 'allow'")]
    public string ClientCertificateMode { get; set; } = "require";

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>A TLS setting that cannot be used; the message names the setting and the file, never a password.</summary>
public sealed class TlsCertificateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Orleans' TLS (<c>Microsoft.Orleans.Connections.Security</c>) from <see cref="TlsCertificateOptions"/>.</summary>
public static class TlsHosting
{
    /// <summary>The client's section.</summary>
    public const string ClientSectionName = "Client:Tls";

    /// <summary>
    /// TLS on this silo's silo and gateway ports and on its connections to other silos; peers must present a certificate
    /// (unless <see cref="TlsCertificateOptions.ClientCertificateMode"/> is <c>allow</c>) that <see cref="TlsCertificateOptions.CaPath"/>
    /// vouches for.
    /// </summary>
    public static ISiloBuilder UsePathologyTls(this ISiloBuilder silo, TlsCertificateOptions options, string section = "Silo:Tls")
    {
        var (certificate, validator) = Load(options, section);
        return silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = options.ClientCertificateMode == "allow" ? RemoteCertificateMode.AllowCertificate : RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = validator;
        });
    }

    /// <summary>TLS to the gateways, presenting this client's certificate and checking the silo's.</summary>
    public static IClientBuilder UsePathologyTls(this IClientBuilder client, TlsCertificateOptions options, string section = ClientSectionName)
    {
        var (certificate, validator) = Load(options, section);
        return client.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = validator;
        });
    }

    /// <summary>Extended key usages: a TLS server's certificate (a gateway, a silo answering) and a TLS client's.</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1"), ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// The certificate (with its private key) and the check peers' certificates must pass. With a CA, a peer's certificate
    /// must also allow the usage its side of the connection needs: a client checks that the gateway's allows server
    /// authentication; a silo, that a peer's allows client authentication (every peer of a silo opens connections to it:
    /// clients, and other silos, which present their certificate as TLS clients). A certificate without the extension
    /// allows every usage (RFC 5280).
    /// </summary>
    public static (X509Certificate2 Certificate, RemoteCertificateValidator Validator) Load(TlsCertificateOptions options, string section) =>
        Load(options, section, section == ClientSectionName ? ServerAuthentication : ClientAuthentication);

    /// <summary>As <see cref="Load(TlsCertificateOptions, string)"/>, requiring <paramref name="peerUsage"/> of peers' certificates.</summary>
    public static (X509Certificate2 Certificate, RemoteCertificateValidator Validator) Load(TlsCertificateOptions options, string section, Oid peerUsage)
    {
        var path = options.CertificatePath ?? throw new TlsCertificateException($"{section}:CertificatePath is not set");
        var password = Password(options, section);
        var certificate = LoadCertificate(path, options.KeyPath, password, section);
        if (!certificate.HasPrivateKey)
            throw new TlsCertificateException($"{section}:CertificatePath {path} has no private key (give the PEM key in {section}:KeyPath)");

        if (string.IsNullOrWhiteSpace(options.CaPath)) return (certificate, (peer, _, _) => peer.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span));
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(options.CaPath);
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new TlsCertificateException($"{section}:CaPath {options.CaPath} could not be read: {ex.Message}", ex);
        }
        if (authorities.Count == 0) throw new TlsCertificateException($"{section}:CaPath {options.CaPath} holds no PEM certificate");
        return (certificate, (peer, chain, _) => IssuedBy(peer, chain, authorities, peerUsage));
    }

    // Trust comes from the configured authorities alone, not the machine's store; host names are not checked, since
    // silos reach each other by IP address (pods come and go) and the authority is private to the cluster.
    private static bool IssuedBy(X509Certificate2 peer, X509Chain? presented, X509Certificate2Collection authorities, Oid usage)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        // The chain fails (NotValidForUsage) when the peer's extended key usage leaves this one out.
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(peer);
    }

    private static string? Password(TlsCertificateOptions options, string section)
    {
        if (!string.IsNullOrEmpty(options.Password)) return options.Password;
        if (string.IsNullOrWhiteSpace(options.PasswordFile)) return null;
        try
        {
            return File.ReadAllText(options.PasswordFile).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsCertificateException($"{section}:PasswordFile {options.PasswordFile} could not be read: {ex.Message}", ex);
        }
    }

    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password, string section)
    {
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12") return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            // Messages from the loaders name files and formats, never the password.
            throw new TlsCertificateException($"{section}:CertificatePath {path}{(keyPath is null ? "" : $" (key {keyPath})")} could not be loaded: {ex.Message}", ex);
        }
    }
}
