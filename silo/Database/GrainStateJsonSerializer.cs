using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace OrleansPathology.Silo.Database;

/// <summary>
/// Serializes grain state for PostgreSQL as UTF-8 JSON (System.Text.Json) inside a versioned envelope:
/// <c>{"formatVersion":1,"state":{...}}</c>.
/// </summary>
/// <remarks>
/// <para>Why not Orleans' own serializers: the default (Orleans binary) is opaque to SQL, and Orleans'
/// <c>JsonGrainStorageSerializer</c> is Newtonsoft.Json with <c>$type</c> CLR type names, which break when a type
/// is renamed or moved. Here nothing about CLR types is stored: properties are camelCase names, enums are their
/// names, and the state type is whatever the reading grain asks for.</para>
/// <para>Evolving a state type: adding a property is safe (old rows read it as its default), removing one is safe
/// (its value is ignored), renaming one needs <c>[JsonPropertyName("oldName")]</c>. Polymorphic state needs
/// <c>[JsonDerivedType(typeof(X), "x")]</c> discriminators, never type names. A change to the envelope itself
/// raises <see cref="CurrentFormatVersion"/>; rows in another format fail with
/// <see cref="GrainStateFormatException"/> instead of being misread.</para>
/// <para>In SQL: <c>SELECT convert_from(payload, 'UTF8')::jsonb -> 'state' FROM orleans_grain_state</c>.</para>
/// </remarks>
public sealed class GrainStateJsonSerializer : IGrainStorageSerializer
{
    /// <summary>The envelope format this serializer writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new Envelope<T>(CurrentFormatVersion, input), Options));

    /// <inheritdoc />
    public T? Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Envelope<T>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope<T>>(input.ToMemory().Span, Options);
        }
        catch (JsonException e)
        {
            throw new GrainStateFormatException(
                $"Stored grain state is not a JSON envelope for {typeof(T).Name}: {e.Message}", e);
        }
        if (envelope is null || envelope.FormatVersion != CurrentFormatVersion)
        {
            throw new GrainStateFormatException(
                $"Stored grain state has envelope format {envelope?.FormatVersion.ToString() ?? "null"}; " +
                $"this build reads format {CurrentFormatVersion}.");
        }
        return envelope.State;
    }

    private sealed record class Envelope<T>(int FormatVersion, T? State);
}

/// <summary>Stored grain state cannot be read by <see cref="GrainStateJsonSerializer"/>.</summary>
public sealed class GrainStateFormatException : Exception
{
    /// <summary>Creates the exception with a message that names the offending format.</summary>
    public GrainStateFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the JSON error behind it.</summary>
    public GrainStateFormatException(string message, Exception inner) : base(message, inner) { }
}
