using System.Text;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Records;
using Reference.Simulation;
using Reference.Simulation.Randomness;
using Reference.Simulation.Storage;
using Reference.Simulation.Traces;

namespace Reference.Broker.Hosting;

/// <summary>
/// <c>trace.record.path</c>: writes every input the event loop hands the core, in the order it hands them,
/// with the effects the core asked for, in the simulator's trace format (traces/README.md), so that
/// <c>kraft replay FILE</c> re-runs them through a fresh core over in-memory storage and checks every
/// effect. The trace starts with what the disk held when the core started (each log's batches, its start
/// and durable end, the quorum-state file), so any start replays, not only a freshly formatted one; and the
/// node's randomness is seeded from a seed the header records. Runs on the event-loop thread only.
/// </summary>
/// <remarks>
/// Bounded: past <see cref="_bytesMax"/> bytes recording stops with a log line (the broker runs on), as it
/// does on a write error. Every event is flushed to the file as it is written, so a crash leaves a prefix
/// that replays (the reader drops an unfinished last event).
/// </remarks>
internal sealed class TraceRecorder : IDisposable
{
    private const string Component = "TraceRecorder";

    /// <summary>Requests to peers awaiting an answer, remembered for the API version their answer is read in; more means answers are being lost.</summary>
    public const int OpenPeerRequestsMax = 100_000;

    /// <summary>How many bytes of a log one preload line carries at most (whole batches; a larger batch gets a line of its own).</summary>
    public const int PreloadBytesPerLine = 256 * 1024;

    private readonly StreamWriter _file;
    private readonly long _bytesMax;
    private readonly BrokerLog _log;
    private readonly int _nodeId;
    private readonly Dictionary<(int ToNodeId, int CorrelationId), (ApiKey Api, short Version)> _openPeerRequests = [];
    private readonly StringBuilder _entry = new();
    private long _bytesWritten;
    private bool _stopped;

    private TraceRecorder(StreamWriter file, long bytesMax, BrokerLog log, int nodeId)
    {
        _file = file;
        _bytesMax = bytesMax;
        _log = log;
        _nodeId = nodeId;
    }

    /// <summary>
    /// Opens the file and writes the header and the disk's contents. Null (with a log line) when it cannot:
    /// the broker then runs without recording.
    /// </summary>
    public static TraceRecorder? Start(string path, long bytesMax, NodeConfig config, ulong seed, ILogStorage storage, QuorumStateData? quorumState, BrokerLog log)
    {
        if (FirstLogNotStartingAtZero(storage) is { } cut)
        {
            log.Warn(Component, $"trace.record.path={path}: {cut} starts at offset {storage.Extent(cut).StartOffset} (retention removed its head); " +
                "a replay over in-memory storage cannot rebuild that, so this run is not recorded.");
            return null;
        }
        StreamWriter file;
        try
        {
            file = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            log.Warn(Component, $"trace.record.path={path} cannot be written ({error.Message}); this run is not recorded.");
            return null;
        }
        var recorder = new TraceRecorder(file, bytesMax, log, config.NodeId);
        recorder.WriteLines(Header(config, seed).FormatLines());
        recorder.WritePreload(storage, quorumState);
        if (!recorder._stopped) log.Info(Component, $"Recording the core's inputs and effects to {path} (at most {bytesMax} bytes); replay it with: kraft replay {path}");
        return recorder;
    }

    /// <summary>The node's randomness when recording: the stream replay builds for (seed, node, first incarnation).</summary>
    public static IDeterministicRandom RandomFor(ulong seed, int nodeId) => new RandomStreams(seed).ForNode(nodeId, incarnation: 1);

    private static TraceHeader Header(NodeConfig config, ulong seed) => new()
    {
        Build = SimulatedCluster.BuildVersion,
        Seed = seed,
        ClusterId = config.ClusterId,
        NodeImplementation = SimulatedCluster.RealNodeName,
        Nodes = [new TraceNode(config.NodeId, config.IsController, NodeConfigJson.Digest(config), NodeConfigJson.Write(config))],
        Source = TraceHeader.BrokerSource,
        FaultSpec = "none",
        FaultKnobs = "profile=none",
        Workload = "real-clients",
        DurationMs = 0,
        EventsMax = 0,
        Monitors = [],
    };

    private static TopicPartition? FirstLogNotStartingAtZero(ILogStorage storage)
    {
        foreach (TopicPartition log in storage.Logs)
        {
            LogExtent extent = storage.Extent(log);
            if (extent.EndOffset == extent.StartOffset) continue;
            ReadOnlyMemory<byte> first = storage.Read(log, extent.StartOffset, extent.EndOffset, 1);
            if (!RecordBatchHeader.TryRead(first.Span, out RecordBatchHeader header) || header.BaseOffset != 0) return log;
        }
        return null;
    }

    /// <summary>Each log's batches from offset 0 to its end, then its start and durable end; the quorum state. Bounded by each log's end offset.</summary>
    private void WritePreload(ILogStorage storage, QuorumStateData? quorumState)
    {
        foreach (TopicPartition log in storage.Logs)
        {
            LogExtent extent = storage.Extent(log);
            long offset = 0;
            while (offset < extent.EndOffset && !_stopped)
            {
                ReadOnlyMemory<byte> batches = storage.Read(log, offset, extent.EndOffset, PreloadBytesPerLine);
                long next = NextOffsetAfter(batches);
                if (next <= offset) throw new InvalidDataException($"{log} reads no whole batch at offset {offset}, below its end {extent.EndOffset}");
                Write(new TraceEntry.Preload(0, _nodeId, log, offset, batches.ToArray()));
                offset = next;
            }
            Write(new TraceEntry.PreloadExtent(0, _nodeId, log, extent.StartOffset, extent.DurableEndOffset));
        }
        if (quorumState is not null) Write(new TraceEntry.PreloadQuorumState(0, _nodeId, MessageBytes.Encode(quorumState, MemoryLogStorage.QuorumStateFileVersion)));
    }

    private static long NextOffsetAfter(ReadOnlyMemory<byte> batches)
    {
        long next = -1;
        var walker = new RecordBatchWalker(batches);
        while (walker.TryNext(out RecordBatchView batch)) next = batch.Header.NextOffset;
        return next;
    }

    /// <summary>Records one input and the effects the core asked for, before the shell carries them out.</summary>
    public void Record(NodeInput input, IReadOnlyList<NodeEffect> effects)
    {
        if (_stopped) return;
        TraceInput? what = ToTraceInput(input);
        if (what is null) return;
        foreach (NodeEffect.SendRequest send in effects.OfType<NodeEffect.SendRequest>())
            _openPeerRequests[(send.ToNodeId, send.CorrelationId)] = (send.Body.ApiKey, send.ApiVersion);
        if (_openPeerRequests.Count > OpenPeerRequestsMax) StopRecording($"more than {OpenPeerRequestsMax} peer requests await an answer");
        else Write(new TraceEntry.Input(input.NowMs, _nodeId, what, effects.Select(EffectFormat.Render).ToList()));
    }

    private TraceInput? ToTraceInput(NodeInput input)
    {
        switch (input)
        {
            case NodeInput.Started:
                return new TraceInput.Started(1, EmptyDisk: false);
            case NodeInput.TimeAdvanced:
                return new TraceInput.TimeAdvanced();
            case NodeInput.RequestReceived received:
                RequestContext context = received.Context;
                byte[] request = WireFrames.Request(context.CorrelationId, context.ApiVersion, context.ClientId, received.Body);
                return new TraceInput.Request(context.Connection.Value, context.Listener, context.ClientHost, request);
            case NodeInput.ResponseReceived answered:
                if (!_openPeerRequests.Remove((answered.FromNodeId, answered.CorrelationId), out (ApiKey Api, short Version) sent))
                {
                    StopRecording($"an answer from node {answered.FromNodeId} to a request this recording never saw (correlation id {answered.CorrelationId})");
                    return null;
                }
                byte[] response = WireFrames.Response(answered.CorrelationId, sent.Version, answered.Body);
                return new TraceInput.Response(answered.FromNodeId, answered.CorrelationId, sent.Api, sent.Version, response);
            case NodeInput.RequestFailed failed:
                _openPeerRequests.Remove((failed.ToNodeId, failed.CorrelationId));
                return new TraceInput.Failed(failed.ToNodeId, failed.CorrelationId, failed.Reason);
            case NodeInput.LogFlushed flushed:
                return new TraceInput.Flushed(flushed.Log, flushed.DurableEndOffset);
            case NodeInput.ConnectionClosed closed:
                return new TraceInput.Closed(closed.Connection.Value);
            default:
                StopRecording($"the input {input.GetType().Name} has no trace form");
                return null;
        }
    }

    private void Write(TraceEntry entry) => WriteLines(entry.FormatLines());

    /// <summary>One event's lines in one write, then a flush: a crash cuts at most the event being written.</summary>
    private void WriteLines(IEnumerable<string> lines)
    {
        if (_stopped) return;
        _entry.Clear();
        foreach (string line in lines) _entry.Append(line).Append('\n');
        long bytes = Encoding.UTF8.GetByteCount(_entry.ToString());
        if (_bytesWritten + bytes > _bytesMax)
        {
            StopRecording($"the trace reached trace.record.max.bytes ({_bytesMax} bytes)");
            return;
        }
        try
        {
            _file.Write(_entry.ToString());
            _file.Flush();
            _bytesWritten += bytes;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            StopRecording($"writing the trace failed: {error.Message}");
        }
    }

    private void StopRecording(string reason)
    {
        if (_stopped) return;
        _stopped = true;
        _log.Warn(Component, $"Stopped recording after {_bytesWritten} bytes: {reason}. What was written replays.");
    }

    public void Dispose()
    {
        try
        {
            _file.Dispose();
        }
        catch (IOException error)
        {
            _log.Warn(Component, $"Closing the trace failed: {error.Message}");
        }
    }
}
