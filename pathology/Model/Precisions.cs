namespace OrleansPathology.Model;

/// <summary>The one place precision names are read and written: <c>fp32</c>, <c>bf16</c>, <c>fp16</c>.</summary>
public static class Precisions
{
    /// <summary>Parses a precision name (also float32/bfloat16/float16/half, any case); throws naming the value otherwise.</summary>
    public static Precision Parse(string text) =>
        TryParse(text, out var precision) ? precision : throw new ArgumentException($"unknown precision '{text}' (expected fp32, bf16 or fp16)");

    public static bool TryParse(string? text, out Precision precision)
    {
        Precision? parsed = text?.Trim().ToLowerInvariant() switch
        {
            "fp32" or "float32" => Precision.Fp32,
            "bf16" or "bfloat16" => Precision.Bf16,
            "fp16" or "float16" or "half" => Precision.Fp16,
            _ => null,
        };
        precision = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>The canonical lower-case name.</summary>
    public static string Name(Precision precision) => precision.ToString().ToLowerInvariant();
}
