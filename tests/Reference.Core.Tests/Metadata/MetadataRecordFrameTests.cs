using Reference.Core.Metadata;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

public sealed class MetadataRecordFrameTests
{
    public static TheoryData<int> RecordKinds => new() { 0, 1, 2, 3, 4, 5, 6, 7 };

    private static VersionedRecord Sample(int kind) => kind switch
    {
        0 => V(Register(1, 5), MetadataVersion.RegisterBrokerRecordVersion),
        1 => V(Topic("orders", Id(1))),
        2 => V(Partition(Id(1), 0, 1, 2, 3), MetadataVersion.PartitionRecordVersion),
        3 => V(Change(Id(1), 0, leader: 2, isr: [2, 3]), MetadataVersion.PartitionChangeRecordVersion),
        4 => V(TopicConfig("orders", "retention.ms", null)),
        5 => V(new FeatureLevelRecord { Name = MetadataVersion.FeatureName, FeatureLevel = MetadataVersion.Level }),
        6 => V(new BrokerRegistrationChangeRecord { BrokerId = 1, BrokerEpoch = 5, Fenced = -1 }),
        _ => V(new NoOpRecord()),
    };

    [Theory]
    [MemberData(nameof(RecordKinds))]
    public void EveryRecordWeWriteRoundTripsThroughItsFrame(int kind)
    {
        VersionedRecord record = Sample(kind);
        byte[] frame = MetadataRecordFrame.Encode(record);

        MetadataFrameDecodeResult decoded = MetadataRecordFrame.Decode(frame);

        Assert.True(decoded.IsOk, decoded.Detail);
        Assert.Equal(record.Record.RecordType, decoded.Record!.RecordType);
        Assert.Equal(record.Version, decoded.Version);
        Assert.Equal(frame, MetadataRecordFrame.Encode(new VersionedRecord(decoded.Record, decoded.Version)));
    }

    [Fact]
    public void TheFrameStartsWithFrameVersionTypeAndVersionAsUnsignedVarints()
    {
        byte[] frame = MetadataRecordFrame.Encode(V(Topic("t", Id(1))));

        Assert.Equal(new byte[] { 1, (byte)MetadataRecordType.Topic, 0 }, frame[..3]);
        Assert.Equal(MessageBytes.Encode(Topic("t", Id(1)), 0), frame[3..]);
    }

    [Fact]
    public void ARecordTypeAbove127TakesTwoVarintBytes()
    {
        var writer = new ProtocolWriter();
        writer.WriteUnsignedVarInt(1);
        writer.WriteUnsignedVarInt(200);
        writer.WriteUnsignedVarInt(0);

        Assert.Equal(MetadataFrameError.UnknownRecordType, MetadataRecordFrame.Decode(writer.ToArray()).Error);
    }

    [Fact]
    public void EncodingAVersionTheSchemaLacksIsAProgrammerError()
    {
        Assert.Throws<ArgumentException>(() => MetadataRecordFrame.Encode(V(Topic("t", Id(1)), version: 1)));
    }

    public static TheoryData<string, byte[], MetadataFrameError> BadFrames => new()
    {
        { "empty", [], MetadataFrameError.Truncated },
        { "only the frame version", [1], MetadataFrameError.Truncated },
        { "frame version 0", [0, 2, 0], MetadataFrameError.UnsupportedFrameVersion },
        { "frame version 2", [2, 2, 0], MetadataFrameError.UnsupportedFrameVersion },
        { "type 6 is unassigned", [1, 6, 0], MetadataFrameError.UnknownRecordType },
        { "TopicRecord v1 does not exist", [1, 2, 1], MetadataFrameError.UnsupportedRecordVersion },
        { "a body cut short", [1, 2, 0, 5, (byte)'a'], MetadataFrameError.MalformedRecord },
        { "an endless varint", [1, 0x80, 0x80, 0x80, 0x80, 0x80], MetadataFrameError.Truncated },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void BadFramesAreTypedErrorsNotExceptions(string what, byte[] frame, MetadataFrameError expected)
    {
        MetadataFrameDecodeResult decoded = MetadataRecordFrame.Decode(frame);

        Assert.False(decoded.IsOk, what);
        Assert.Equal(expected, decoded.Error);
        Assert.Null(decoded.Record);
        Assert.NotNull(decoded.Detail);
    }

    [Fact]
    public void BytesAfterTheRecordAreRefused()
    {
        byte[] frame = [.. MetadataRecordFrame.Encode(V(new NoOpRecord())), 0];

        Assert.Equal(MetadataFrameError.MalformedRecord, MetadataRecordFrame.Decode(frame).Error);
    }

    [Fact]
    public void ANullValueIsRefused()
    {
        Assert.Equal(MetadataFrameError.Truncated, MetadataRecordFrame.Decode(null).Error);
    }
}
