using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Protocol.Tests.Messages;

/// <summary>
/// For every message type and every version: encode, decode, encode again gives the same bytes, and the
/// decoder consumes exactly what the encoder wrote. Fields a version cannot carry fall away in the first
/// encode, so the property holds for any random instance.
/// </summary>
public sealed class MessageRoundTripTests
{
    private const int CasesPerVersion = 25;

    public static TheoryData<string> MessageTypeNames() => new(RandomMessages.AllMessageTypes.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void EncodeDecodeEncodeIsTheIdentityInEveryVersion(string typeName)
    {
        Type type = RandomMessages.AllMessageTypes.Single(t => t.Name == typeName);
        typeof(MessageRoundTripTests).GetMethod(nameof(CheckAllVersions), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, null);
    }

    [Fact]
    public void EveryApiHasBothDirectionsAndAgreesOnVersions()
    {
        Assert.True(ApiMessages.All.Count >= 50, $"only {ApiMessages.All.Count} APIs defined");
        foreach (ApiKey key in ApiMessages.All)
        {
            Assert.False(ApiMessages.SchemaVersions(key).IsEmpty, key.ToString());
        }
    }

    private static void CheckAllVersions<T>() where T : class, IMessage<T>
    {
        for (short version = T.Versions.Lowest; version <= T.Versions.Highest; version++)
        {
            short v = version;
            Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed => RoundTrips<T>(seed, v))
                .Check(Config.QuickThrowOnFailure.WithMaxTest(CasesPerVersion).WithQuietOnSuccess(true));
        }
    }

    private static void RoundTrips<T>(int seed, short version) where T : class, IMessage<T>
    {
        var original = (T)new RandomMessages(seed).Create(typeof(T));
        byte[] first = MessageBytes.Encode(original, version);
        Assert.True(MessageBytes.TryDecode(first, version, out T? decoded, out string? error),
            $"{typeof(T).Name} v{version} seed {seed}: {error}");
        byte[] second = MessageBytes.Encode(decoded!, version);
        Assert.True(first.AsSpan().SequenceEqual(second),
            $"{typeof(T).Name} v{version} seed {seed}: re-encoding differs\n{Convert.ToHexString(first)}\n{Convert.ToHexString(second)}");
    }
}
