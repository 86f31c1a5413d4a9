using Npgsql;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// The database password from a secret file (<c>Silo:DatabasePasswordFile</c>, a mounted Kubernetes secret, say), so
/// the connection string in the configuration can leave it out. There is no default password anywhere in the code.
/// </summary>
public static class DatabaseSecrets
{
    /// <summary>
    /// <paramref name="connectionString"/> with its password replaced by the contents of <paramref name="passwordFile"/>
    /// (trailing line breaks removed); unchanged when no file is named.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file cannot be read or is empty; the message names the file only.</exception>
    public static string? WithPasswordFile(string? connectionString, string? passwordFile)
    {
        if (string.IsNullOrWhiteSpace(passwordFile) || string.IsNullOrWhiteSpace(connectionString)) return connectionString;
        string password;
        try
        {
            password = File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Silo:DatabasePasswordFile {passwordFile} could not be read: {ex.Message}", ex);
        }
        if (password.Length == 0) throw new InvalidOperationException($"Silo:DatabasePasswordFile {passwordFile} is empty");
        return new NpgsqlConnectionStringBuilder(connectionString) { Password = password }.ConnectionString;
    }
}
