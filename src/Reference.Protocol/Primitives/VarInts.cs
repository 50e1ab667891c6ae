namespace Reference.Protocol.Primitives;

/// <summary>
/// Decoding of Kafka's varints straight from a span, reporting malformed input as false rather than an
/// exception: the record-batch validator walks record lengths on the produce path and must stay cheap on
/// hostile bytes. <see cref="ProtocolReader"/> builds its throwing readers on these.
/// </summary>
public static class VarInts
{
    /// <summary>A 32-bit value in 7-bit groups takes at most 5 bytes.</summary>
    public const int VarIntSizeBytesMax = 5;

    /// <summary>A 64-bit value in 7-bit groups takes at most 10 bytes.</summary>
    public const int VarLongSizeBytesMax = 10;

    /// <summary>Unsigned LEB128 of at most 5 bytes (protocol lengths and tags); false when truncated or over 32 bits.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out uint value, out int sizeBytes)
    {
        value = 0;
        for (int i = 0; i < VarIntSizeBytesMax && i < source.Length; i++)
        {
            byte b = source[i];
            if (i == VarIntSizeBytesMax - 1 && (b & 0xF0) != 0) break;
            value |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) != 0) continue;
            sizeBytes = i + 1;
            return true;
        }
        value = 0;
        sizeBytes = 0;
        return false;
    }

    /// <summary>Zigzag varint (record lengths, offset deltas, key and value lengths).</summary>
    public static bool TryReadZigZag(ReadOnlySpan<byte> source, out int value, out int sizeBytes)
    {
        bool ok = TryReadUnsigned(source, out uint raw, out sizeBytes);
        value = (int)(raw >> 1) ^ -(int)(raw & 1);
        return ok;
    }

    /// <summary>Zigzag varlong of at most 10 bytes (record timestamp deltas).</summary>
    public static bool TryReadZigZagLong(ReadOnlySpan<byte> source, out long value, out int sizeBytes)
    {
        ulong raw = 0;
        for (int i = 0; i < VarLongSizeBytesMax && i < source.Length; i++)
        {
            byte b = source[i];
            if (i == VarLongSizeBytesMax - 1 && (b & 0xFE) != 0) break;
            raw |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) != 0) continue;
            value = (long)(raw >> 1) ^ -(long)(raw & 1);
            sizeBytes = i + 1;
            return true;
        }
        value = 0;
        sizeBytes = 0;
        return false;
    }
}
