namespace Reference.Protocol.Primitives;

/// <summary>
/// A tagged field this build does not know (KIP-482). It is kept as bytes and written back unchanged,
/// so a message passes through us without losing what a newer peer added.
/// </summary>
public sealed record RawTaggedField(int Tag, ReadOnlyMemory<byte> Data)
{
    public bool Equals(RawTaggedField? other) =>
        other is not null && Tag == other.Tag && Data.Span.SequenceEqual(other.Data.Span);

    public override int GetHashCode() => HashCode.Combine(Tag, Data.Length);
}
