using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Tests.Golden;
using Xunit.Sdk;

namespace Reference.Protocol.Tests.Framing;

/// <summary>
/// The decoders face bytes from the network: whatever arrives, they return a result and never throw, a
/// frame cut short is an error and never a smaller valid message, and a length or count that claims more
/// than the frame holds fails before anything of that size is allocated. Failures name the API, version
/// and FsCheck seed (or the frame in hex) that reproduce them.
/// </summary>
public sealed class DecoderRobustnessProperties
{
    private const int RandomFramesPerCheck = 5000;
    private const int RandomFrameLengthMax = 300;
    private const int RandomResponsesPerVersion = 40;
    private const int ValidFramesPerVersion = 4;
    private const int RequestHeaderPrefixBytes = 8;

    private static Config Checks(int count) => Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);

    private static Gen<byte[]> RandomBytes(int lengthMax) =>
        from length in Gen.Choose(0, lengthMax)
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
        select bytes;

    [Fact]
    public void RandomBytesNeverThrowOutOfTheRequestDecoder()
    {
        Prop.ForAll(Arb.From(RandomBytes(RandomFrameLengthMax)), bytes => DecodeRequest(bytes, "random bytes"))
            .Check(Checks(RandomFramesPerCheck));
    }

    /// <summary>Random bytes rarely start with a known key and version; these do, so the body parsers run on them.</summary>
    [Fact]
    public void RandomBodiesBehindAValidKeyAndVersionNeverThrowOutOfTheRequestDecoder()
    {
        var apiVersions = RandomFrames.AllApiVersions().ToArray();
        Gen<byte[]> frames =
            from apiVersion in Gen.Elements(apiVersions)
            from correlationId in Gen.Choose(int.MinValue, int.MaxValue)
            from tail in RandomBytes(RandomFrameLengthMax)
            select Prefix(apiVersion.ApiKey, apiVersion.Version, correlationId).Concat(tail).ToArray();

        Prop.ForAll(Arb.From(frames), frame =>
        {
            RequestDecodeResult result = DecodeRequest(frame, "random body");
            if (!result.IsSuccess)
                Assert.Equal(BinaryCorrelationId(frame), result.Error!.CorrelationId);
        }).Check(Checks(RandomFramesPerCheck));
    }

    [Fact]
    public void RandomBytesNeverThrowOutOfTheResponseDecoderForAnyApiOrVersion()
    {
        foreach ((ApiKey key, short version) in RandomFrames.AllApiVersions())
        {
            Prop.ForAll(Arb.From(RandomBytes(RandomFrameLengthMax)), bytes => DecodeResponse(bytes, key, version, "random bytes"))
                .Check(Checks(RandomResponsesPerVersion));
        }
    }

    [Fact]
    public void EveryTruncatedRequestIsAnErrorAndOnlyTheWholeFrameDecodes()
    {
        ForEveryValidFrame(RandomFrames.Request, frame =>
        {
            for (int length = 0; length < frame.Bytes.Length; length++)
            {
                RequestDecodeResult cut = DecodeRequest(frame.Bytes.AsMemory(0, length), frame.Context);
                Assert.False(cut.IsSuccess, $"{frame.Context}: the first {length} of {frame.Bytes.Length} bytes decoded as a request");
                RequestDecodeFailure failure = cut.Error!.Failure;
                bool malformed = length < RequestHeaderPrefixBytes
                    ? failure == RequestDecodeFailure.MalformedHeader
                    : failure is RequestDecodeFailure.MalformedHeader or RequestDecodeFailure.MalformedBody;
                Assert.True(malformed, $"{frame.Context}: the first {length} bytes gave {cut.Error}");
            }
            Assert.True(DecodeRequest(frame.Bytes, frame.Context).IsSuccess, $"{frame.Context}: the whole frame does not decode");
        });
    }

    [Fact]
    public void EveryTruncatedResponseIsAnErrorAndOnlyTheWholeFrameDecodes()
    {
        ForEveryValidFrame(RandomFrames.Response, frame =>
        {
            for (int length = 0; length < frame.Bytes.Length; length++)
                Assert.False(DecodeResponse(frame.Bytes.AsMemory(0, length), frame.ApiKey, frame.Version, frame.Context).IsSuccess,
                    $"{frame.Context}: the first {length} of {frame.Bytes.Length} bytes decoded as a response");
            Assert.True(DecodeResponse(frame.Bytes, frame.ApiKey, frame.Version, frame.Context).IsSuccess,
                $"{frame.Context}: the whole frame does not decode");
        });
    }

    [Fact]
    public void SingleByteCorruptionsOfRequestsNeverThrow()
    {
        ForEveryValidFrame(RandomFrames.Request, frame => ForEachSingleByteCorruption(frame, (corrupt, context) =>
        {
            RequestDecodeResult result = DecodeRequest(corrupt, context);
            // What decodes must be writable again, or the broker could not echo what it read.
            if (result.IsSuccess) FrameEncoder.Request(result.Request!.Header, result.Request.Body);
        }));
    }

    [Fact]
    public void SingleByteCorruptionsOfResponsesNeverThrow()
    {
        ForEveryValidFrame(RandomFrames.Response, frame => ForEachSingleByteCorruption(frame, (corrupt, context) =>
        {
            ResponseDecodeResult result = DecodeResponse(corrupt, frame.ApiKey, frame.Version, context);
            if (result.IsSuccess) FrameEncoder.Response(result.Response!.Header.CorrelationId, frame.Version, result.Response.Body);
        }));
    }

    /// <summary>
    /// The frame with each byte in turn replaced by another value (the original XOR a random non-zero
    /// mask drawn from the frame's seed), one position at a time.
    /// </summary>
    private static void ForEachSingleByteCorruption(ValidFrame frame, Action<byte[], string> check)
    {
        var random = new Random(frame.Seed);
        byte[] corrupt = frame.Bytes.ToArray();
        for (int position = 0; position < corrupt.Length; position++)
        {
            corrupt[position] = (byte)(frame.Bytes[position] ^ random.Next(1, 256));
            check(corrupt, $"{frame.Context}, byte {position} corrupted");
            corrupt[position] = frame.Bytes[position];
        }
    }

    /// <summary>A valid frame (without its size prefix) and what rebuilds it.</summary>
    private sealed record ValidFrame(ApiKey ApiKey, short Version, int Seed, byte[] Bytes)
    {
        public string Context => $"{ApiKey} v{Version} seed {Seed}";
    }

    /// <summary>Runs <paramref name="check"/> on random valid frames of every API and version, seeded by FsCheck.</summary>
    private static void ForEveryValidFrame(Func<ApiKey, short, int, byte[]> build, Action<ValidFrame> check)
    {
        foreach ((ApiKey key, short version) in RandomFrames.AllApiVersions())
        {
            Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed => check(new ValidFrame(key, version, seed, build(key, version, seed))))
                .Check(Checks(ValidFramesPerVersion));
        }
    }

    private static byte[] Prefix(ApiKey key, short version, int correlationId)
    {
        var prefix = new byte[RequestHeaderPrefixBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(prefix, (short)key);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(prefix.AsSpan(2), version);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), correlationId);
        return prefix;
    }

    private static int BinaryCorrelationId(byte[] frame) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));

    private static RequestDecodeResult DecodeRequest(ReadOnlyMemory<byte> frame, string context)
    {
        RequestDecodeResult result;
        try
        {
            result = RequestDecoder.Decode(frame);
        }
        catch (Exception error)
        {
            throw new XunitException($"{context}: RequestDecoder threw {error}\nframe: {Convert.ToHexString(frame.Span)}");
        }
        Assert.True(result.IsSuccess != (result.Error is not null), $"{context}: a result must be a request or an error");
        return result;
    }

    private static ResponseDecodeResult DecodeResponse(ReadOnlyMemory<byte> frame, ApiKey key, short version, string context)
    {
        ResponseDecodeResult result;
        try
        {
            result = ResponseDecoder.Decode(frame, key, version);
        }
        catch (Exception error)
        {
            throw new XunitException($"{context}: ResponseDecoder ({key} v{version}) threw {error}\nframe: {Convert.ToHexString(frame.Span)}");
        }
        Assert.True(result.IsSuccess != (result.Error is not null), $"{context}: a result must be a response or an error");
        return result;
    }
}
