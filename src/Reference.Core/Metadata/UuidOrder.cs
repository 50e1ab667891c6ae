using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>
/// A total order on <see cref="Uuid"/>s (most significant half, then least, both signed, as Kafka's
/// <c>Uuid.compareTo</c>), so maps keyed by topic id iterate the same way on every node and every run.
/// </summary>
public sealed class UuidOrder : IComparer<Uuid>
{
    public static readonly UuidOrder Instance = new();

    private UuidOrder()
    {
    }

    public int Compare(Uuid x, Uuid y)
    {
        int byHigh = x.MostSignificantBits.CompareTo(y.MostSignificantBits);
        return byHigh != 0 ? byHigh : x.LeastSignificantBits.CompareTo(y.LeastSignificantBits);
    }
}
