using System.Runtime.InteropServices;
using FsCheck.Fluent;
using Reference.Protocol.Compression;

namespace Reference.Protocol.Tests.Records;

public sealed class CompressionCodecTests
{
    private const int OneMiB = 1024 * 1024;

    public static TheoryData<CompressionType> Codecs =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private static ICompressionCodec CodecFor(CompressionType type) =>
        CompressionCodecs.ForType(type) ?? throw new InvalidOperationException($"no codec for {type}");

    /// <summary>Half random, half runs of one byte, so the codecs see both compressible and noisy input.</summary>
    private static byte[] MixedPayload(int length, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        for (int at = 0; at < length;)
        {
            int run = Math.Min(length - at, random.Next(1, 300));
            if (random.Next(2) == 0) random.NextBytes(bytes.AsSpan(at, run));
            else bytes.AsSpan(at, run).Fill((byte)random.Next(256));
            at += run;
        }
        return bytes;
    }

    private static readonly FsCheck.Arbitrary<byte[]> s_payloads =
        Gen.Choose(0, 200_000).Zip(Gen.Choose(0, int.MaxValue), MixedPayload).ToArbitrary();

    [Fact]
    public void DebianCodecLibrariesLoadOnThisMachine()
    {
        // The build machines have liblz4.so.1 and libzstd.so.1; without them the round trips below would
        // only be testing the "unsupported" answer.
        Assert.True(CompressionCodecs.Lz4.IsSupported);
        Assert.True(CompressionCodecs.Zstd.IsSupported);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EveryPayloadRoundTrips(CompressionType type)
    {
        ICompressionCodec codec = CodecFor(type);
        PropertyRuns.Check(Prop.ForAll(s_payloads, payload =>
        {
            DecompressionResult result = codec.Decompress(codec.Compress(payload), payload.Length);
            return result.IsOk && result.Output.Span.SequenceEqual(payload);
        }), caseCount: 50);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void OutputOneByteOverTheBoundIsRefused(CompressionType type)
    {
        ICompressionCodec codec = CodecFor(type);
        byte[] payload = MixedPayload(100_000, seed: 7);
        byte[] compressed = codec.Compress(payload);
        Assert.True(codec.Decompress(compressed, payload.Length).IsOk);
        Assert.Equal(DecompressionStatus.OutputTooLarge, codec.Decompress(compressed, payload.Length - 1).Status);
        Assert.Equal(DecompressionStatus.OutputTooLarge, codec.Decompress(compressed, 0).Status);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ZipBombIsStoppedAtTheBoundWithoutAllocatingItsSize(CompressionType type)
    {
        ICompressionCodec codec = CodecFor(type);
        // Snappy's best ratio is about 21:1, LZ4's about 250:1, gzip's and zstd's far higher.
        byte[] bomb = codec.Compress(new byte[64 * OneMiB]);
        Assert.True(bomb.Length < 4 * OneMiB, $"{type} bomb is {bomb.Length} bytes");

        long before = GC.GetAllocatedBytesForCurrentThread();
        DecompressionResult result = codec.Decompress(bomb, OneMiB);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DecompressionStatus.OutputTooLarge, result.Status);
        Assert.True(allocated < 4 * OneMiB, $"{type} allocated {allocated} bytes for a 1 MiB bound");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RandomBytesNeverThrow(CompressionType type)
    {
        ICompressionCodec codec = CodecFor(type);
        PropertyRuns.Check(Prop.ForAll(PropertyRuns.Bytes(2048), input =>
        {
            DecompressionResult result = codec.Decompress(input, 64 * 1024);
            return result.IsOk || result.Output.IsEmpty;
        }), caseCount: 1000);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void CorruptedStreamsNeverThrow(CompressionType type)
    {
        ICompressionCodec codec = CodecFor(type);
        byte[] payload = MixedPayload(5000, seed: 11);
        byte[] compressed = codec.Compress(payload);
        var positions = Gen.Choose(0, compressed.Length - 1).ToArbitrary();
        var masks = Gen.Choose(1, 255).ToArbitrary();
        PropertyRuns.Check(Prop.ForAll(positions, masks, (position, mask) =>
        {
            byte[] corrupted = (byte[])compressed.Clone();
            corrupted[position] ^= (byte)mask;
            DecompressionResult result = codec.Decompress(corrupted, payload.Length);
            return result.Status is DecompressionStatus.Ok or DecompressionStatus.Corrupt or DecompressionStatus.OutputTooLarge;
        }), caseCount: 500);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void EveryTruncationIsReportedCorrupt(CompressionType type)
    {
        // Raw snappy, gzip (via our trailer check), LZ4 and zstd frames all know their own end, so no
        // strict prefix decodes. xerial snappy is the exception (a cut between chunks), tested below.
        ICompressionCodec codec = CodecFor(type);
        byte[] payload = MixedPayload(3000, seed: 3);
        byte[] compressed = codec.Compress(payload);
        for (int length = 0; length < compressed.Length; length++)
        {
            DecompressionResult result = codec.Decompress(compressed.AsMemory(0, length), payload.Length);
            Assert.True(result.Status == DecompressionStatus.Corrupt, $"{type} prefix of {length}/{compressed.Length} bytes gave {result.Status}");
        }
    }

    [Fact]
    public void GzipWithTrailingBytesIsCorrupt()
    {
        byte[] compressed = CompressionCodecs.Gzip.Compress("kafka"u8);
        byte[] withJunk = [.. compressed, 1, 2, 3];
        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodecs.Gzip.Decompress(withJunk, 100).Status);
    }

    [Theory]
    // Written by the command-line tools (gzip -n, lz4 with its content checksum, zstd from a file with the
    // content size and from a pipe without it), so we read what other implementations write, not only our own.
    [InlineData(CompressionType.Gzip, "1f8b0800000000000003cb4e4ccb4e54284a4dce2f4a51484a2c49ce00001940032512000000")]
    [InlineData(CompressionType.Lz4, "04224d186440a7120000806b61666b61207265636f726420626174636800000000a4edfe95")]
    [InlineData(CompressionType.Lz4, "04224d187440bd120000806b61666b61207265636f7264206261746368a4edfe9500000000a4edfe95")]
    [InlineData(CompressionType.Zstd, "28b52ffd24129100006b61666b61207265636f7264206261746368734d5816")]
    [InlineData(CompressionType.Zstd, "28b52ffd04589100006b61666b61207265636f7264206261746368734d5816")]
    public void StreamsWrittenByTheReferenceToolsDecode(CompressionType type, string hex)
    {
        DecompressionResult result = CodecFor(type).Decompress(Convert.FromHexString(hex), 100);
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal("kafka record batch"u8.ToArray(), result.Output.ToArray());
    }

    [Fact]
    public void RawSnappyBlockWrittenByHandDecodes()
    {
        // Preamble 5 (decoded length), then a literal of 5 bytes: tag (5 - 1) << 2.
        byte[] block = [0x05, 0x10, .. "hello"u8];
        DecompressionResult result = CompressionCodecs.Snappy.Decompress(block, 5);
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal("hello"u8.ToArray(), result.Output.ToArray());
    }

    [Fact]
    public void XerialFramedSnappyWrittenByHandDecodes()
    {
        byte[] xerial =
        [
            0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, // magic
            0, 0, 0, 1, 0, 0, 0, 1, // version 1, compatible version 1
            0, 0, 0, 7, 0x05, 0x10, .. "hello"u8, // chunk 1: raw block "hello"
            0, 0, 0, 8, 0x06, 0x14, .. " kafka"u8, // chunk 2: raw block " kafka"
        ];
        DecompressionResult result = CompressionCodecs.Snappy.Decompress(xerial, 100);
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal("hello kafka"u8.ToArray(), result.Output.ToArray());
    }

    [Fact]
    public void XerialFramedSnappyOfManyChunksDecodes()
    {
        // What Java's SnappyOutputStream writes for a large batch: one chunk per 32 KiB of input.
        byte[] payload = MixedPayload(200_000, seed: 5);
        byte[] xerial = XerialFrame(payload, chunkSizeBytes: 32 * 1024);
        DecompressionResult result = CompressionCodecs.Snappy.Decompress(xerial, payload.Length);
        Assert.True(result.IsOk, result.Detail);
        Assert.True(result.Output.Span.SequenceEqual(payload));
        Assert.Equal(DecompressionStatus.OutputTooLarge, CompressionCodecs.Snappy.Decompress(xerial, payload.Length - 1).Status);
    }

    [Theory]
    [InlineData(12)] // inside the header
    [InlineData(18)] // inside the first chunk's length
    [InlineData(30)] // inside the first chunk's block
    public void TruncatedXerialFramingIsCorrupt(int length)
    {
        byte[] xerial = XerialFrame(MixedPayload(1000, seed: 9), chunkSizeBytes: 400);
        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodecs.Snappy.Decompress(xerial.AsMemory(0, length), 1000).Status);
    }

    private static byte[] XerialFrame(byte[] payload, int chunkSizeBytes)
    {
        var frame = new List<byte> { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1 };
        foreach (byte[] chunk in payload.Chunk(chunkSizeBytes))
        {
            byte[] block = IronSnappy.Snappy.Encode(chunk);
            frame.AddRange([(byte)(block.Length >> 24), (byte)(block.Length >> 16), (byte)(block.Length >> 8), (byte)block.Length]);
            frame.AddRange(block);
        }
        return [.. frame];
    }

    [Fact]
    public void MissingNativeLibraryIsReportedNotThrown()
    {
        Assert.Null(NativeLibraryProbe.TryGetVersion(MissingLibrary.reference_missing_version));
    }

    [Fact]
    public void UnloadableCodecAnswersUnsupported()
    {
        ICompressionCodec[] unloaded = [new Lz4Codec(nativeAvailable: false), new ZstdCodec(nativeAvailable: false)];
        foreach (ICompressionCodec codec in unloaded)
        {
            Assert.False(codec.IsSupported);
            Assert.Equal(DecompressionStatus.Unsupported, codec.Decompress(new byte[] { 1, 2, 3 }, 100).Status);
            Assert.Throws<NotSupportedException>(() => codec.Compress([1, 2, 3]));
        }
    }

    private static class MissingLibrary
    {
        [DllImport("libreference-no-such-codec.so.1")]
        public static extern uint reference_missing_version();
    }
}
