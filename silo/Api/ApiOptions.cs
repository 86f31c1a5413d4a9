namespace OrleansPathology.Silo.Api;

/// <summary>
/// Who may use the HTTP API and the dashboard (section <c>Api</c>; environment <c>Api__Token</c>, ...). Without a token
/// and without <see cref="AllowAnonymous"/>, every API call answers 401: the API is never open by accident.
/// </summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>The bearer token callers present (<c>Authorization: Bearer TOKEN</c>). Default: none.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the token (a mounted Kubernetes secret); surrounding whitespace is ignored. Default: none.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Lets callers in without a token. Default false; only for a silo nobody else can reach.</summary>
    public bool AllowAnonymous { get; set; }
}
