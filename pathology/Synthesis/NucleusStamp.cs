namespace OrleansPathology.Synthesis;

/// <summary>
/// One pre-drawn nucleus: a square of <see cref="Size"/> pixels centred on the nucleus, holding per pixel its
/// coverage (anti-aliased at the rim) and the haematoxylin and eosin amounts it lays down. Stamping a drawn
/// nucleus costs a blend per pixel, where drawing it per pixel would cost trigonometry and noise.
/// </summary>
internal sealed class NucleusStamp(int size, byte[] alpha, byte[] haematoxylin, byte[] eosin)
{
    public int Size { get; } = size;
    public byte[] Alpha { get; } = alpha;
    public byte[] Haematoxylin { get; } = haematoxylin;
    public byte[] Eosin { get; } = eosin;
}
