namespace Reference.Protocol.Primitives;

/// <summary>An inclusive range of message versions; <see cref="None"/> is empty.</summary>
public readonly record struct VersionRange(short Lowest, short Highest)
{
    public static readonly VersionRange None = new(0, -1);

    public bool IsEmpty => Highest < Lowest;

    public bool Contains(short version) => version >= Lowest && version <= Highest;

    public override string ToString() => IsEmpty ? "none" : Lowest == Highest ? $"{Lowest}" : $"{Lowest}-{Highest}";
}
