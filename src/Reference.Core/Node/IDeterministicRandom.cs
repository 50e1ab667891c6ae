namespace Reference.Core.Node;

/// <summary>
/// The only randomness the core may use (election jitter, member ids, producer incarnations). The shell
/// hands in a seeded generator: the simulator's seed reproduces a run; the broker seeds from the OS.
/// </summary>
public interface IDeterministicRandom
{
    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    int Next(int exclusiveMax);

    void NextBytes(Span<byte> destination);
}

/// <summary>SplitMix64: tiny, fast, and the same sequence for the same seed on every platform.</summary>
public sealed class SplitMix64Random(ulong seed) : IDeterministicRandom
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax));
        return (int)(NextUInt64() % (ulong)exclusiveMax);
    }

    public void NextBytes(Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (byte)NextUInt64();
    }
}
