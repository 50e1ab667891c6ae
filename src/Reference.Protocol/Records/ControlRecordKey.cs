using System.Buffers.Binary;

namespace Reference.Protocol.Records;

/// <summary>
/// What a control record says, from the type field of its key (Kafka's <c>ControlRecordType</c>).
/// Transactions write ABORT and COMMIT markers (KIP-98); the KRaft log writes the rest (KIP-595, KIP-630,
/// KIP-853).
/// </summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
    LeaderChange = 2,
    SnapshotHeader = 3,
    SnapshotFooter = 4,
    KRaftVersion = 5,
    KRaftVoters = 6,
}

/// <summary>
/// The key of every control record: int16 version, int16 type. Readers accept longer keys from newer
/// versions and unknown types (Kafka maps those to UNKNOWN); only a short key or a negative version is
/// malformed, as in <c>ControlRecordType.parseTypeId</c>.
/// </summary>
public readonly record struct ControlRecordKey(short Version, ControlRecordType Type)
{
    public const short CurrentVersion = 0;

    public const int SizeBytes = 4;

    public static ControlRecordKey For(ControlRecordType type) => new(CurrentVersion, type);

    /// <summary>Whether <see cref="Type"/> is one this code knows; other values are preserved, not rejected.</summary>
    public bool IsKnownType => Enum.IsDefined(Type);

    public byte[] Encode()
    {
        var key = new byte[SizeBytes];
        BinaryPrimitives.WriteInt16BigEndian(key, Version);
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), (short)Type);
        return key;
    }

    public static bool TryDecode(ReadOnlySpan<byte> key, out ControlRecordKey decoded)
    {
        decoded = default;
        if (key.Length < SizeBytes) return false;
        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version < 0) return false;
        decoded = new ControlRecordKey(version, (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(key[2..]));
        return true;
    }
}
