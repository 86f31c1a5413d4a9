using System.Data.Common;
using System.Text.RegularExpressions;

namespace OrleansPathology.Client.Cluster;

/// <summary>Keeps PostgreSQL passwords out of everything <c>opath</c> prints.</summary>
internal static partial class ConnectionStrings
{
    /// <summary>What a password is shown as.</summary>
    public const string Mask = "***";

    /// <summary>
    /// The connection string with its password (<c>Password</c>/<c>PWD</c> keyword, quoted or not, or the
    /// password of a <c>postgres://user:password@host</c> URL) replaced by <see cref="Mask"/>. Works on malformed
    /// strings too: it is a text substitution, not a parse.
    /// </summary>
    public static string Redact(string connectionString)
    {
        var keyword = PasswordKeyword().Replace(connectionString, m => $"{m.Groups["key"].Value}={Mask}");
        return UrlPassword().Replace(keyword, m => $"{m.Groups["prefix"].Value}{Mask}@");
    }

    /// <summary>
    /// <paramref name="text"/> (an error message, say) with every occurrence of the connection string, and of its
    /// password, replaced by the redacted form: messages from drivers and hosts are not trusted to leave it out.
    /// </summary>
    public static string Scrub(string text, string? connectionString)
    {
        // Only the known string and password are replaced: a keyword pattern run over free text cannot tell where a
        // bare password ends, and would eat the rest of the message.
        if (string.IsNullOrEmpty(connectionString)) return text;
        var scrubbed = text.Replace(connectionString, Redact(connectionString), StringComparison.Ordinal);
        return PasswordOf(connectionString) is { Length: > 0 } password
            ? scrubbed.Replace(password, Mask, StringComparison.Ordinal)
            : scrubbed;
    }

    /// <summary>The password a connection string carries, or null (also when the string cannot be parsed).</summary>
    internal static string? PasswordOf(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in new[] { "password", "pwd" })
                if (builder.TryGetValue(key, out var value) && value is string { Length: > 0 } text) return text;
        }
        catch (ArgumentException)
        {
            // Malformed: fall through to the URL form (and to Redact's text substitution).
        }
        var url = UrlPassword().Match(connectionString);
        return url.Success ? url.Groups["password"].Value : null;
    }

    // key = 'quoted ''value''' | "quoted ""value""" | bare-to-semicolon
    [GeneratedRegex("""(?<key>\b(?:password|pwd))\s*=\s*(?:'(?:[^']|'')*'|"(?:[^"]|"")*"|[^;]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordKeyword();

    [GeneratedRegex("""(?<prefix>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?<password>[^@\s]*)@""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();
}
