using System.Buffers.Binary;

namespace Reference.Protocol.Primitives;

/// <summary>
/// Kafka's 128-bit UUID (topic ids, directory ids, cluster ids): two big-endian 64-bit halves on the wire,
/// printed as 22 characters of URL-safe base64 without padding, as Kafka's tools print it.
/// </summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly Uuid Zero = new(0, 0);

    /// <summary>Kafka's reserved id of the <c>__cluster_metadata</c> topic.</summary>
    public static readonly Uuid MetadataTopicId = new(0, 1);

    public const int SizeBytes = 16;

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public static Uuid ReadFrom(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    /// <summary>A new random UUID from caller-supplied bytes (the core gets randomness from its shell).</summary>
    public static Uuid FromRandomBytes(ReadOnlySpan<byte> sixteenBytes)
    {
        if (sixteenBytes.Length != SizeBytes) throw new ArgumentException("a UUID needs 16 bytes", nameof(sixteenBytes));
        Span<byte> bytes = stackalloc byte[SizeBytes];
        sixteenBytes.CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80); // IETF variant
        return ReadFrom(bytes);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[SizeBytes];
        WriteTo(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryParse(string? text, out Uuid uuid)
    {
        uuid = Zero;
        if (text is null || text.Length != 22) return false;
        string base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[18];
        if (!Convert.TryFromBase64String(base64, bytes, out int written) || written != SizeBytes) return false;
        uuid = ReadFrom(bytes);
        return true;
    }
}
