using Reference.Core.Node;

namespace Reference.Simulation.Randomness;

/// <summary>
/// Every random choice of a run comes from one seed, split into named streams: one per network link, one
/// per disk, one per fault kind, one per swarm knob, one for the workload, one per node incarnation. A
/// stream's sequence depends only on the seed and its name, never on how many draws other streams made, so
/// adding a node, a link or a fault kind leaves every other stream's choices as they were (the reason
/// FoundationDB and the VOPR keep their randomness separable: a seed stays comparable across changes).
/// </summary>
public sealed class RandomStreams(ulong seed)
{
    public ulong Seed { get; } = seed;

    /// <summary>A fresh generator for the stream named <paramref name="name"/>; the same name gives the same sequence.</summary>
    public SplitMix64Random Stream(string name) => new(Derive(Seed, StableHash.Fnv1a64(name)));

    /// <summary>The randomness handed to one incarnation of a node (its election jitter, member ids).</summary>
    public SplitMix64Random ForNode(int nodeId, int incarnation) => Stream($"node/{nodeId}/{incarnation}");

    /// <summary>
    /// Mixes the seed with a stream key through SplitMix64's finaliser twice, so streams whose keys differ in
    /// one bit start far apart.
    /// </summary>
    public static ulong Derive(ulong seed, ulong streamKey) => Mix(seed ^ Mix(streamKey + 0x9E3779B97F4A7C15UL));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>FNV-1a, 64-bit: a hash with the same value on every platform and run (string.GetHashCode is randomised per process).</summary>
public static class StableHash
{
    private const ulong OffsetBasis = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;

    public static ulong Fnv1a64(string text)
    {
        ulong hash = OffsetBasis;
        foreach (char c in text)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }
        return hash;
    }

    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes, ulong hash = OffsetBasis)
    {
        foreach (byte b in bytes) hash = (hash ^ b) * Prime;
        return hash;
    }

    /// <summary>Continues a hash with an integer, so digests can mix fields without formatting them.</summary>
    public static ulong Fnv1a64(long value, ulong hash)
    {
        for (int i = 0; i < 8; i++) hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        return hash;
    }

    public const ulong Start = OffsetBasis;
}
