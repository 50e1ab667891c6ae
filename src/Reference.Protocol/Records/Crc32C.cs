using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;
using X86Sse42 = System.Runtime.Intrinsics.X86.Sse42;

namespace Reference.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2 (KIP-98; Kafka's
/// <c>Crc32C</c> in org.apache.kafka.common.utils). The broker computes it over every produced batch, so
/// the common path uses the CPU's CRC32 instruction eight bytes at a time (SSE4.2 on x64, the CRC32
/// extension on Arm64); the byte-wise table is the fallback elsewhere and the oracle the tests compare
/// the hardware paths against.
/// </summary>
public static class Crc32C
{
    /// <summary>Reflected Castagnoli polynomial (RFC 3720 §12.1).</summary>
    private const uint ReflectedPolynomial = 0x82F63B78;

    /// <summary>The register starts all ones and is inverted at the end (RFC 3720 B.4).</summary>
    private const uint InitialRegister = 0xFFFFFFFF;

    private static readonly ReflectedCrc32Table s_table = new(ReflectedPolynomial);

    /// <summary>True when <see cref="Compute"/> runs on a CRC32 instruction rather than the table.</summary>
    public static bool IsHardwareAccelerated => X86Sse42.X64.IsSupported || IsArm64CrcUsable;

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Extends a CRC already computed over a prefix: <c>Append(Compute(a), b) == Compute(a ++ b)</c>, which
    /// lets a caller checksum a batch it holds in pieces.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~UpdateRegister(~crc, data);

    private static uint UpdateRegister(uint register, ReadOnlySpan<byte> data)
    {
        if (X86Sse42.X64.IsSupported) return UpdateSse42(register, data);
        if (IsArm64CrcUsable) return UpdateArm64(register, data);
        return s_table.UpdateRegister(register, data);
    }

    // The eight-byte reads below are little-endian loads; the CRC instructions consume bytes in that order.
    private static bool IsArm64CrcUsable => ArmCrc32.Arm64.IsSupported && BitConverter.IsLittleEndian;

    /// <summary>The table-driven path; internal so tests can hold the hardware paths to it.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => s_table.Compute(data);

    /// <summary>The instruction path of this CPU, or null when it has none (tests compare it with the table).</summary>
    internal static uint? ComputeHardware(ReadOnlySpan<byte> data)
    {
        if (X86Sse42.X64.IsSupported) return ~UpdateSse42(InitialRegister, data);
        if (IsArm64CrcUsable) return ~UpdateArm64(InitialRegister, data);
        return null;
    }

    private static uint UpdateSse42(uint register, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        int wholeWordsEnd = data.Length & ~7;
        ulong wide = register;
        for (int i = 0; i < wholeWordsEnd; i += 8)
            wide = X86Sse42.X64.Crc32(wide, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        uint narrow = (uint)wide;
        for (int i = wholeWordsEnd; i < data.Length; i++)
            narrow = X86Sse42.Crc32(narrow, Unsafe.Add(ref start, i));
        return narrow;
    }

    private static uint UpdateArm64(uint register, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        int wholeWordsEnd = data.Length & ~7;
        for (int i = 0; i < wholeWordsEnd; i += 8)
            register = ArmCrc32.Arm64.ComputeCrc32C(register, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        for (int i = wholeWordsEnd; i < data.Length; i++)
            register = ArmCrc32.ComputeCrc32C(register, Unsafe.Add(ref start, i));
        return register;
    }
}
