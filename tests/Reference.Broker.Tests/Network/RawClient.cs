using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Broker.Tests.Network;

/// <summary>A socket that speaks frames by hand, so tests control every byte a client sends.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;

    public static async Task<RawClient> ConnectAsync(IPEndPoint endpoint)
    {
        var client = new RawClient();
        await client._client.ConnectAsync(endpoint);
        client._stream = client._client.GetStream();
        return client;
    }

    public static byte[] ApiVersionsRequest(int correlationId, short version = 3, string softwareName = "test-client") =>
        FrameEncoder.Request(
            new RequestHeader { RequestApiKey = (short)ApiKey.ApiVersions, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "test" },
            new ApiVersionsRequest { ClientSoftwareName = softwareName, ClientSoftwareVersion = "1.0" });

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>The next frame's bytes after its size prefix, or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        byte[] prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, timeout.Token)) return null;
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, timeout.Token) ? frame : null;
    }

    public static int CorrelationIdOf(byte[] frame) => BinaryPrimitives.ReadInt32BigEndian(frame);

    public void Dispose() => _client.Dispose();

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                int read = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) return false;
                filled += read;
            }
        }
        catch (IOException)
        {
            return false;
        }
        return true;
    }
}
