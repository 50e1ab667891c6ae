using System.Globalization;
using Reference.Core;
using Reference.Core.Node;
using Reference.Protocol.Framing;
using Reference.Protocol.Messages;

namespace Reference.Simulation.Traces;

/// <summary>
/// A node input as the trace holds it: messages as their wire bytes, everything else as numbers. The
/// simulator builds every input it delivers through <see cref="ToNodeInput"/>, the same call replay makes,
/// so a replayed node receives exactly what the simulated one did.
/// </summary>
public abstract record TraceInput
{
    /// <summary>The node (re)starts: incarnation 1 first, one more per restart; <paramref name="EmptyDisk"/> when its disk was replaced.</summary>
    public sealed record Started(int Incarnation, bool EmptyDisk) : TraceInput;

    public sealed record TimeAdvanced : TraceInput;

    /// <param name="Frame">The request frame as sent: header (api key, version, correlation id, client id) and body.</param>
    public sealed record Request(long ConnectionId, ListenerKind Listener, string ClientHost, byte[] Frame) : TraceInput;

    /// <param name="Frame">The response frame: header (correlation id) and body, readable only knowing the API and version asked.</param>
    public sealed record Response(int FromNodeId, int CorrelationId, ApiKey ApiKey, short ApiVersion, byte[] Frame) : TraceInput;

    public sealed record Failed(int ToNodeId, int CorrelationId, string Reason) : TraceInput;

    public sealed record Flushed(TopicPartition Log, long DurableEndOffset) : TraceInput;

    public sealed record Closed(long ConnectionId) : TraceInput;

    /// <summary>The input the node gets at <paramref name="nowMs"/>; decodes frames (<see cref="WireCodecException"/> if they do not read).</summary>
    public NodeInput ToNodeInput(long nowMs) => this switch
    {
        Started => new NodeInput.Started(nowMs),
        TimeAdvanced => new NodeInput.TimeAdvanced(nowMs),
        Request request => RequestInput(request, nowMs),
        Response response => ResponseInput(response, nowMs),
        Failed failed => new NodeInput.RequestFailed(nowMs, failed.ToNodeId, failed.CorrelationId, failed.Reason),
        Flushed flushed => new NodeInput.LogFlushed(nowMs, flushed.Log, flushed.DurableEndOffset),
        Closed closed => new NodeInput.ConnectionClosed(nowMs, new ConnectionId(closed.ConnectionId)),
        _ => throw new InvalidOperationException($"unknown trace input {GetType().Name}"),
    };

    private static NodeInput RequestInput(Request request, long nowMs)
    {
        DecodedRequest decoded = WireFrames.DecodeRequest(request.Frame);
        var context = new RequestContext(new ConnectionId(request.ConnectionId), request.Listener, decoded.CorrelationId,
            decoded.ApiVersion, decoded.Header.ClientId, request.ClientHost, nowMs);
        return new NodeInput.RequestReceived(nowMs, context, decoded.Body);
    }

    private static NodeInput ResponseInput(Response response, long nowMs)
    {
        DecodedResponse decoded = WireFrames.DecodeResponse(response.Frame, response.ApiKey, response.ApiVersion);
        if (decoded.Header.CorrelationId != response.CorrelationId)
            throw new WireCodecException($"a response frame carries correlation id {decoded.Header.CorrelationId}, not {response.CorrelationId}");
        return new NodeInput.ResponseReceived(nowMs, response.FromNodeId, response.CorrelationId, decoded.Body);
    }

    /// <summary>The verb and fields after "TIME nID" on an input line.</summary>
    public string Format() => this switch
    {
        Started started => $"started incarnation={started.Incarnation} disk={(started.EmptyDisk ? "empty" : "kept")}",
        TimeAdvanced => "time",
        Request request =>
            $"request conn={request.ConnectionId} listener={ListenerName(request.Listener)} host={TraceLine.Quote(request.ClientHost)} frame={Convert.ToHexStringLower(request.Frame)}",
        Response response =>
            $"response from={response.FromNodeId} corr={response.CorrelationId} api={response.ApiKey} v={response.ApiVersion} frame={Convert.ToHexStringLower(response.Frame)}",
        Failed failed => $"failed to={failed.ToNodeId} corr={failed.CorrelationId} reason={TraceLine.Quote(failed.Reason)}",
        Flushed flushed => $"flushed log={TraceLine.Quote(flushed.Log.ToString())} end={flushed.DurableEndOffset}",
        Closed closed => $"closed conn={closed.ConnectionId}",
        _ => throw new InvalidOperationException($"unknown trace input {GetType().Name}"),
    };

    /// <summary>Reads what <see cref="Format"/> wrote; <paramref name="line"/>'s third word is the verb.</summary>
    public static TraceInput Parse(TraceLine line) => line.Word(2) switch
    {
        "started" => new Started(line.Int("incarnation"), line.Value("disk") == "empty"),
        "time" => new TimeAdvanced(),
        "request" => new Request(line.Long("conn"), ParseListener(line.Value("listener")), line.Value("host"), line.Hex("frame")),
        "response" => new Response(line.Int("from"), line.Int("corr"), ParseApiKey(line.Value("api")), checked((short)line.Int("v")), line.Hex("frame")),
        "failed" => new Failed(line.Int("to"), line.Int("corr"), line.Value("reason")),
        "flushed" => new Flushed(ParseLog(line.Value("log")), line.Long("end")),
        "closed" => new Closed(line.Long("conn")),
        string verb => throw new TraceFormatException($"unknown input '{verb}'"),
    };

    public static string ListenerName(ListenerKind listener) => listener == ListenerKind.Controller ? "controller" : "broker";

    private static ListenerKind ParseListener(string name) => name switch
    {
        "controller" => ListenerKind.Controller,
        "broker" => ListenerKind.Broker,
        _ => throw new TraceFormatException($"unknown listener '{name}'"),
    };

    private static ApiKey ParseApiKey(string name) =>
        Enum.TryParse(name, out ApiKey key) && ApiMessages.All.Contains(key) ? key : throw new TraceFormatException($"unknown API '{name}'");

    /// <summary>Reads "topic-partition" (the partition is after the last '-': topic names may hold dashes).</summary>
    public static TopicPartition ParseLog(string text)
    {
        int dash = text.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
            throw new TraceFormatException($"'{text}' is not topic-partition");
        return new TopicPartition(text[..dash], partition);
    }
}
