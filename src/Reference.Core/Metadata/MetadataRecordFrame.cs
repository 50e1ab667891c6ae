using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Core.Metadata;

/// <summary>Why the value of a metadata log record could not be read as a metadata record.</summary>
public enum MetadataFrameError
{
    None = 0,

    /// <summary>The value is null or ends inside the frame header.</summary>
    Truncated,

    /// <summary>The first uvarint is not frame version 1.</summary>
    UnsupportedFrameVersion,

    /// <summary>The apiKey names no metadata record type we know.</summary>
    UnknownRecordType,

    /// <summary>The record type is known but not in this version.</summary>
    UnsupportedRecordVersion,

    /// <summary>The record body does not parse, or bytes follow it.</summary>
    MalformedRecord,
}

/// <summary>A decoded metadata record with the version it was written in, or why it could not be decoded.</summary>
public readonly record struct MetadataFrameDecodeResult(MetadataFrameError Error, IMetadataRecord? Record, short Version, string? Detail)
{
    public bool IsOk => Error == MetadataFrameError.None;

    internal static MetadataFrameDecodeResult Failed(MetadataFrameError error, string detail) => new(error, null, -1, detail);
}

/// <summary>
/// The framing of a record in <c>__cluster_metadata</c>: the record's key is null and its value is
/// <c>uvarint frameVersion (1), uvarint apiKey (the record type), uvarint version</c>, then the record body
/// (Kafka's <c>AbstractApiMessageSerde</c>; its doc comment says frame version 0, its code writes 1).
/// </summary>
public static class MetadataRecordFrame
{
    public const uint FrameVersion = 1;

    public static byte[] Encode(VersionedRecord record)
    {
        MetadataRecordType type = record.Record.RecordType;
        if (!MetadataRecords.SchemaVersions(type).Contains(record.Version))
            throw new ArgumentException($"{type} has no version {record.Version}", nameof(record));
        using var writer = new ProtocolWriter();
        writer.WriteUnsignedVarInt(FrameVersion);
        writer.WriteUnsignedVarInt((uint)(short)type);
        writer.WriteUnsignedVarInt((uint)record.Version);
        record.Record.Write(writer, record.Version);
        return writer.ToArray();
    }

    /// <summary>Reads one framed record; never throws on bad bytes.</summary>
    public static MetadataFrameDecodeResult Decode(ReadOnlyMemory<byte>? value)
    {
        if (value is not ReadOnlyMemory<byte> bytes) return MetadataFrameDecodeResult.Failed(MetadataFrameError.Truncated, "a metadata record's value is null");
        var reader = new ProtocolReader(bytes);
        try
        {
            uint frameVersion = reader.ReadUnsignedVarInt();
            if (frameVersion != FrameVersion)
                return MetadataFrameDecodeResult.Failed(MetadataFrameError.UnsupportedFrameVersion, $"frame version {frameVersion}, expected {FrameVersion}");
            uint apiKey = reader.ReadUnsignedVarInt();
            uint version = reader.ReadUnsignedVarInt();
            if (apiKey > (uint)short.MaxValue || !MetadataRecords.All.Contains((MetadataRecordType)(short)apiKey))
                return MetadataFrameDecodeResult.Failed(MetadataFrameError.UnknownRecordType, $"unknown metadata record type {apiKey}");
            var type = (MetadataRecordType)(short)apiKey;
            if (version > (uint)short.MaxValue || !MetadataRecords.SchemaVersions(type).Contains((short)version))
                return MetadataFrameDecodeResult.Failed(MetadataFrameError.UnsupportedRecordVersion, $"{type} v{version} is outside {MetadataRecords.SchemaVersions(type)}");
            return ReadBody(type, (short)version, ref reader);
        }
        catch (MalformedFrameException truncated)
        {
            return MetadataFrameDecodeResult.Failed(MetadataFrameError.Truncated, truncated.Message);
        }
    }

    private static MetadataFrameDecodeResult ReadBody(MetadataRecordType type, short version, ref ProtocolReader reader)
    {
        try
        {
            IMetadataRecord record = MetadataRecords.Read(type, version, ref reader);
            // Tested first so the name is built only for the error: this runs for every record read.
            if (!reader.IsAtEnd) reader.ExpectEnd($"{type}Record");
            return new MetadataFrameDecodeResult(MetadataFrameError.None, record, version, null);
        }
        catch (MalformedFrameException malformed)
        {
            return MetadataFrameDecodeResult.Failed(MetadataFrameError.MalformedRecord, $"{type} v{version}: {malformed.Message}");
        }
    }
}
