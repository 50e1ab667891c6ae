namespace Reference.Protocol.Records;

/// <summary>
/// A byte-at-a-time table for a reflected 32-bit CRC. CRC-32C uses it as its portable fallback and the
/// gzip codec uses it for the CRC-32 (IEEE) in a gzip trailer (RFC 1952 §2.3.1); only the polynomial differs.
/// </summary>
internal sealed class ReflectedCrc32Table
{
    private const int EntryCount = 256;

    private readonly uint[] _entries;

    public ReflectedCrc32Table(uint reflectedPolynomial)
    {
        _entries = new uint[EntryCount];
        for (uint index = 0; index < EntryCount; index++)
        {
            uint entry = index;
            for (int bit = 0; bit < 8; bit++)
                entry = (entry & 1) != 0 ? (entry >> 1) ^ reflectedPolynomial : entry >> 1;
            _entries[index] = entry;
        }
    }

    /// <summary>Feeds bytes through the raw register (no pre- or post-inversion).</summary>
    public uint UpdateRegister(uint register, ReadOnlySpan<byte> data)
    {
        uint[] entries = _entries;
        foreach (byte b in data)
            register = entries[(register ^ b) & 0xFF] ^ (register >> 8);
        return register;
    }

    /// <summary>The CRC of <paramref name="data"/> with the usual all-ones start and final inversion.</summary>
    public uint Compute(ReadOnlySpan<byte> data) => ~UpdateRegister(0xFFFFFFFF, data);
}
