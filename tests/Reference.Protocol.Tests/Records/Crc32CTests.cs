using FsCheck.Fluent;
using Reference.Protocol.Records;

namespace Reference.Protocol.Tests.Records;

public sealed class Crc32CTests
{
    [Fact]
    public void CheckValueOfTheCatalogueMatches()
    {
        // The "check" value of CRC-32/ISCSI in the CRC catalogue: the CRC of the ASCII digits 1..9.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Theory]
    [InlineData(0x00, 0, 0x8A9136AAu)] // RFC 3720 B.4: 32 bytes of zeros
    [InlineData(0xFF, 0, 0x62A8AB43u)] // 32 bytes of ones
    [InlineData(0x00, 1, 0x46DD794Eu)] // 32 incrementing bytes 00..1f
    [InlineData(0x1F, -1, 0x113FDB5Cu)] // 32 decrementing bytes 1f..00
    public void Rfc3720TestVectorsMatch(int first, int step, uint expected)
    {
        byte[] data = Enumerable.Range(0, 32).Select(i => (byte)(first + step * i)).ToArray();
        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, Crc32C.ComputeSoftware(data));
    }

    [Fact]
    public void EmptyInputHasCrcZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void ThisMachineUsesTheCrcInstruction()
    {
        // Every CI and build machine we run on is x64 with SSE4.2 or Arm64 with CRC32; if this fails the
        // hardware-equals-software property below would be comparing the table with itself.
        Assert.True(Crc32C.IsHardwareAccelerated);
        Assert.NotNull(Crc32C.ComputeHardware([1, 2, 3]));
    }

    [Fact]
    public void HardwareAndSoftwareAgreeOnEveryInput()
    {
        // Odd lengths and offsets exercise the eight-byte loop, the byte tail and unaligned reads.
        var offsets = Gen.Choose(0, 7).ToArbitrary();
        PropertyRuns.Check(Prop.ForAll(PropertyRuns.Bytes(4096), offsets, (data, offset) =>
        {
            ReadOnlySpan<byte> slice = data.AsSpan(Math.Min(offset, data.Length));
            uint software = Crc32C.ComputeSoftware(slice);
            uint hardware = Crc32C.ComputeHardware(slice) ?? software;
            return hardware == software && Crc32C.Compute(slice) == software;
        }), caseCount: 500);
    }

    [Fact]
    public void AppendingInPiecesEqualsComputingAtOnce()
    {
        var cuts = Gen.Choose(0, 1024).ToArbitrary();
        PropertyRuns.Check(Prop.ForAll(PropertyRuns.Bytes(1024), cuts, (data, cut) =>
        {
            int at = Math.Min(cut, data.Length);
            uint pieces = Crc32C.Append(Crc32C.Compute(data.AsSpan(0, at)), data.AsSpan(at));
            return pieces == Crc32C.Compute(data);
        }));
    }
}
