using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansPathology.Silo.Api;

/// <summary>
/// The API's token, read once at start from <see cref="ApiOptions.Token"/> or <see cref="ApiOptions.TokenFile"/>, and
/// the checks against it. Comparisons are timing-safe: both sides are hashed (equal lengths) and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so the time taken says nothing about how much of a guess matched.
/// A browser's session cookie holds an HMAC of the token, never the token itself.
/// </summary>
public sealed class ApiToken
{
    private readonly byte[]? _tokenHash;
    private readonly byte[]? _sessionValue;

    public ApiToken(IOptions<ApiOptions> options)
    {
        var o = options.Value;
        var token = o.Token;
        if (string.IsNullOrWhiteSpace(token) && !string.IsNullOrWhiteSpace(o.TokenFile))
        {
            if (!File.Exists(o.TokenFile)) throw new FileNotFoundException($"Api:TokenFile {o.TokenFile} does not exist", o.TokenFile);
            token = File.ReadAllText(o.TokenFile).Trim();
            if (token.Length == 0) throw new InvalidDataException($"Api:TokenFile {o.TokenFile} is empty");
        }
        AllowAnonymous = o.AllowAnonymous;
        if (string.IsNullOrWhiteSpace(token)) return;
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _sessionValue = HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "opath-dashboard-session"u8);
    }

    /// <summary>Whether callers without a token are let in.</summary>
    public bool AllowAnonymous { get; }

    /// <summary>Whether a token is configured at all.</summary>
    public bool IsConfigured => _tokenHash is not null;

    /// <summary>Whether <paramref name="presented"/> is the token (timing-safe).</summary>
    public bool Matches(string? presented) =>
        _tokenHash is not null && presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _tokenHash);

    /// <summary>The session cookie's value for a browser that signed in with the token.</summary>
    public string SessionValue() => Convert.ToHexString(_sessionValue ?? throw new InvalidOperationException("no API token is configured"));

    /// <summary>Whether <paramref name="cookie"/> is a session cookie this token issued (timing-safe).</summary>
    public bool IsSession(string? cookie)
    {
        if (_sessionValue is null || cookie is null || cookie.Length != _sessionValue.Length * 2) return false;
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(cookie);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, _sessionValue);
    }
}
