using Microsoft.Extensions.Options;
using OrleansPathology.Silo.Api;

namespace OrleansPathology.Tests.Operations;

/// <summary>
/// The token checks. The comparison is timing-safe by construction: both sides are SHA-256 digests (always 32 bytes,
/// whatever was presented) compared with <c>CryptographicOperations.FixedTimeEquals</c>; these tests pin that the digest
/// comparison, not a string comparison, decides: near misses of every kind are refused, and the session cookie is an
/// HMAC that never contains the token.
/// </summary>
public sealed class ApiTokenTests : IDisposable
{
    private const string Secret = "s3cret-token-0123456789";
    private readonly string _dir = TestData.NewTempDir("opath-token");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(Secret, true)]
    [InlineData("s3cret-token-012345678", false)]
    [InlineData("s3cret-token-01234567890", false)]
    [InlineData("S3cret-token-0123456789", false)]
    [InlineData("", false)]
    [InlineData(" " + Secret, false)]
    [InlineData(null, false)]
    public void Only_the_exact_token_matches(string? presented, bool matches) =>
        Assert.Equal(matches, Token(new ApiOptions { Token = Secret }).Matches(presented));

    [Fact]
    public void The_session_cookie_is_an_hmac_of_the_token_and_only_that_value_is_a_session()
    {
        var token = Token(new ApiOptions { Token = Secret });
        var session = token.SessionValue();

        Assert.DoesNotContain(Secret, session, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(64, session.Length);
        Assert.True(token.IsSession(session));
        Assert.True(token.IsSession(session.ToLowerInvariant()));
        Assert.False(token.IsSession(session[..^1] + (session[^1] == '0' ? '1' : '0')));
        Assert.False(token.IsSession(session[..^2]));
        Assert.False(token.IsSession(Secret));
        Assert.False(token.IsSession(new string('z', 64)));
        // Another token gives another session: a cookie from one cluster does not open another.
        Assert.False(Token(new ApiOptions { Token = Secret + "2" }).IsSession(session));
    }

    [Fact]
    public void The_token_file_is_read_trimmed_and_a_missing_file_names_itself()
    {
        var file = Path.Combine(_dir, "token");
        File.WriteAllText(file, Secret + "\n");
        Assert.True(Token(new ApiOptions { TokenFile = file }).Matches(Secret));

        var missing = Path.Combine(_dir, "absent");
        var error = Assert.Throws<FileNotFoundException>(() => Token(new ApiOptions { TokenFile = missing }));
        Assert.Equal($"Api:TokenFile {missing} does not exist", error.Message);
    }

    [Fact]
    public void Without_a_token_nothing_matches_unless_anonymous_access_is_allowed()
    {
        var none = Token(new ApiOptions());
        Assert.False(none.IsConfigured);
        Assert.False(none.AllowAnonymous);
        Assert.False(none.Matches(""));
        Assert.False(none.IsSession(""));
        Assert.True(Token(new ApiOptions { AllowAnonymous = true }).AllowAnonymous);
    }

    private static ApiToken Token(ApiOptions options) => new(Options.Create(options));
}
