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
    [InlineData(false, new byte[] { 0xff, 0xff, 0xff, 0xff })] // int32 -1
    [InlineData(true, new byte[] { 0x00 })] // uvarint 0 = null in compact form
    public void NullBytesReadBackAsNullNotEmpty(bool compact, byte[] frame)
    {
        // C# converts a null in "cond ? null : memory" to an empty ReadOnlyMemory, which is not null.
        Assert.Null(new ProtocolReader(frame).ReadNullableBytes(compact));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NullAndEmptyBytesRoundTripDistinctly(bool compact)
    {
        using var writer = new ProtocolWriter();
        writer.WriteBytes(null, compact, nullable: true);
        writer.WriteBytes(ReadOnlyMemory<byte>.Empty, compact, nullable: true);
        var reader = new ProtocolReader(writer.ToArray());
        Assert.Null(reader.ReadNullableBytes(compact));
        ReadOnlyMemory<byte>? empty = reader.ReadNullableBytes(compact);
        Assert.NotNull(empty);
        Assert.Equal(0, empty.Value.Length);
    }
}
