using FsCheck.Fluent;
using Reference.Protocol.Primitives;
using Reference.Protocol.Tests.Records;

namespace Reference.Protocol.Tests;

public sealed class VarIntsTests
{
    private static readonly FsCheck.Arbitrary<long> s_longs =
        Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(int.MinValue, int.MaxValue), (high, low) => ((long)high << 32) | (uint)low).ToArbitrary();

    [Fact]
    public void ZigZagVarIntRoundTripsThroughTheWriter()
    {
        PropertyRuns.Check(Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).ToArbitrary(), value =>
        {
            using var writer = new ProtocolWriter();
            writer.WriteVarInt(value);
            return VarInts.TryReadZigZag(writer.WrittenSpan, out int read, out int size) && read == value && size == writer.Length;
        }), caseCount: 1000);
    }

    [Fact]
    public void ZigZagVarLongRoundTripsThroughTheWriter()
    {
        PropertyRuns.Check(Prop.ForAll(s_longs, value =>
        {
            using var writer = new ProtocolWriter();
            writer.WriteVarLong(value);
            return VarInts.TryReadZigZagLong(writer.WrittenSpan, out long read, out int size) && read == value && size == writer.Length;
        }), caseCount: 1000);
    }

    [Fact]
    public void EveryStrictPrefixOfAVarLongIsRefused()
    {
        PropertyRuns.Check(Prop.ForAll(s_longs, value =>
        {
            using var writer = new ProtocolWriter();
            writer.WriteVarLong(value);
            return Enumerable.Range(0, writer.Length).All(length => !VarInts.TryReadZigZagLong(writer.WrittenSpan[..length], out _, out _));
        }));
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x10 })] // a fifth byte with more than 4 bits
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // six bytes
    public void VarIntOver32BitsIsRefused(byte[] bytes) => Assert.False(VarInts.TryReadUnsigned(bytes, out _, out _));

    [Fact]
    public void VarLongOver64BitsIsRefused() =>
        Assert.False(VarInts.TryReadZigZagLong([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], out _, out _));
}
