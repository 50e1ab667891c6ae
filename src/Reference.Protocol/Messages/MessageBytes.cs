using Reference.Protocol.Primitives;

namespace Reference.Protocol.Messages;

/// <summary>
/// A message as a standalone byte string, outside a request frame: consumer-protocol payloads inside
/// JoinGroup and SyncGroup, metadata and control records, the quorum-state file.
/// </summary>
public static class MessageBytes
{
    public static byte[] Encode(IMessage message, short version)
    {
        using var writer = new ProtocolWriter();
        message.Write(writer, version);
        return writer.ToArray();
    }

    /// <summary>Reads a whole message; false with a one-line reason when the bytes are not one.</summary>
    public static bool TryDecode<T>(ReadOnlyMemory<byte> bytes, short version, out T? message, out string? error)
        where T : class, IMessage<T>
    {
        message = null;
        error = null;
        if (!T.Versions.Contains(version))
        {
            error = $"{typeof(T).Name} v{version} is outside {T.Versions}";
            return false;
        }
        var reader = new ProtocolReader(bytes);
        try
        {
            message = T.Read(ref reader, version);
            reader.ExpectEnd(typeof(T).Name);
            return true;
        }
        catch (MalformedFrameException malformed)
        {
            message = null;
            error = $"malformed {typeof(T).Name} v{version}: {malformed.Message}";
            return false;
        }
    }
}
