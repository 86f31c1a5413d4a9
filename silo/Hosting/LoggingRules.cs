using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Log filter rules match categories by prefix, so a rule for <c>Orleans</c> (the usual way to quieten Orleans) also
/// caught every <c>OrleansPathology.*</c> category. A rule of our own, first in the list, is more specific than any
/// Orleans rule and loses only to a rule for our categories that the configuration sets.
/// </summary>
public static class LoggingRules
{
    public const string OwnCategories = "OrleansPathology";

    /// <summary>Logs this project's categories at <paramref name="level"/> whatever rule names Orleans.</summary>
    public static ILoggingBuilder KeepOwnCategories(this ILoggingBuilder builder, LogLevel level)
    {
        builder.Services.Configure<LoggerFilterOptions>(o => o.Rules.Insert(0, new LoggerFilterRule(null, OwnCategories, level, null)));
        return builder;
    }

    /// <summary>The configured default level (<c>Logging:LogLevel:Default</c>), else Information.</summary>
    public static LogLevel DefaultLevel(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        Enum.TryParse<LogLevel>(configuration["Logging:LogLevel:Default"], ignoreCase: true, out var level) ? level : LogLevel.Information;
}
