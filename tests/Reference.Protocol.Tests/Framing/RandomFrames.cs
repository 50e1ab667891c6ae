using Reference.Protocol.Framing;
using Reference.Protocol.Messages;
using Reference.Protocol.Tests.Messages;

namespace Reference.Protocol.Tests.Framing;

/// <summary>
/// Valid frames of every API in every version, built from <see cref="RandomMessages"/>, without their
/// size prefix (what the decoders take). The starting point of the decoder properties: cut, corrupt or
/// inflate a frame known to be valid.
/// </summary>
public static class RandomFrames
{
    private static readonly Dictionary<ApiKey, Type> RequestTypes = BodyTypes<IRequestBody>();
    private static readonly Dictionary<ApiKey, Type> ResponseTypes = BodyTypes<IResponseBody>();

    /// <summary>Every (API, version) pair the library defines.</summary>
    public static IEnumerable<(ApiKey ApiKey, short Version)> AllApiVersions() =>
        ApiMessages.All.SelectMany(key => Enumerable
            .Range(ApiMessages.SchemaVersions(key).Lowest, ApiMessages.SchemaVersions(key).Highest - ApiMessages.SchemaVersions(key).Lowest + 1)
            .Select(version => (key, (short)version)));

    public static byte[] Request(ApiKey key, short version, int seed)
    {
        var random = new RandomMessages(seed);
        var header = (RequestHeader)random.Create(typeof(RequestHeader));
        header.RequestApiKey = (short)key;
        header.RequestApiVersion = version;
        var body = (IRequestBody)random.Create(RequestTypes[key]);
        return FrameEncoder.Request(header, body)[4..];
    }

    public static byte[] Response(ApiKey key, short version, int seed)
    {
        var random = new RandomMessages(seed);
        var body = (IResponseBody)random.Create(ResponseTypes[key]);
        return FrameEncoder.Response(seed, version, body)[4..];
    }

    private static Dictionary<ApiKey, Type> BodyTypes<TBody>() where TBody : IApiMessage =>
        RandomMessages.AllMessageTypes
            .Where(type => typeof(TBody).IsAssignableFrom(type))
            .ToDictionary(type => ((TBody)Activator.CreateInstance(type)!).ApiKey);
}
