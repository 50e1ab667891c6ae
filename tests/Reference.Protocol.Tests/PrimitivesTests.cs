using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests;

public sealed class PrimitivesTests
{
    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(127u, new byte[] { 0x7f })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(uint.MaxValue, new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f })]
    public void UnsignedVarIntMatchesLeb128(uint value, byte[] expected)
    {
        using var writer = new ProtocolWriter();
        writer.WriteUnsignedVarInt(value);
        Assert.Equal(expected, writer.ToArray());
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadUnsignedVarInt());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7f })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    public void VarIntIsZigzag(int value, byte[] expected)
    {
        using var writer = new ProtocolWriter();
        writer.WriteVarInt(value);
        Assert.Equal(expected, writer.ToArray());
        var reader = new ProtocolReader(expected);
        Assert.Equal(value, reader.ReadVarInt());
    }

    [Fact]
    public void StringLengthPastTheFrameIsMalformedNotAnAllocation()
    {
        byte[] frame = [0x7f, 0xff, (byte)'a'];
        Assert.Throws<MalformedFrameException>(() => new ProtocolReader(frame).ReadString(compact: false));
    }

    [Fact]
    public void ArrayCountLargerThanTheFrameIsRejected()
    {
        byte[] frame = [0x7f, 0xff, 0xff, 0xff, 0, 0];
        Assert.Throws<MalformedFrameException>(() => new ProtocolReader(frame).ReadArrayCount(compact: false));
    }

    [Fact]
    public void UuidPrintsAsKafkaBase64()
    {
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAQ", Uuid.MetadataTopicId.ToString());
        Assert.True(Uuid.TryParse("AAAAAAAAAAAAAAAAAAAAAQ", out Uuid parsed));
        Assert.Equal(Uuid.MetadataTopicId, parsed);
    }

    [Theory]
    [InlineData(false, new byte[] { 0xff, 0xff, 0xff, 0xff })]
    [InlineData(true, new byte[] { 0x00 })]
    public void NullBytesStayNullNotEmpty(bool compact, byte[] frame)
    {
        var reader = new ProtocolReader(frame);
        Assert.Null(reader.ReadNullableBytes(compact));
        using var writer = new ProtocolWriter();
        writer.WriteBytes(null, compact, nullable: true);
        Assert.Equal(frame, writer.ToArray());
    }
}
