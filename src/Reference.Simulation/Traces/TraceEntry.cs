using System.Globalization;
using Reference.Core;
using Reference.Protocol.Records;
using Reference.Simulation.Storage;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Traces;

/// <summary>
/// One event of a trace: a top-level line "TIME SUBJECT VERB key=value...", and for an input the effects
/// the node asked for on the indented lines below it. Each entry is one event for the monitors, in the
/// simulator and in replay alike.
/// </summary>
public abstract record TraceEntry(long TimeMs)
{
    /// <summary>A node handled an input. <paramref name="Effects"/> are <see cref="EffectFormat"/> lines.</summary>
    public sealed record Input(long TimeMs, int NodeId, TraceInput What, IReadOnlyList<string> Effects) : TraceEntry(TimeMs);

    /// <summary>
    /// A node crashed. <paramref name="AfterEffects"/> is set when it crashed while its last step's effects were
    /// being carried out, after that many; <paramref name="Torn"/> says what of its unflushed tails the disk kept.
    /// </summary>
    public sealed record Crash(long TimeMs, int NodeId, int? AfterEffects, IReadOnlyList<TornWrite> Torn, string Cause) : TraceEntry(TimeMs);

    /// <summary>Recovery cut a log at restart (written before the restart's <see cref="TraceInput.Started"/>).</summary>
    public sealed record Recovery(long TimeMs, int NodeId, TopicPartition Log, long EndOffset, RecordBatchError Reason) : TraceEntry(TimeMs);

    /// <summary>A byte of a durable batch rotted.</summary>
    public sealed record Corruption(long TimeMs, int NodeId, TopicPartition Log, long BatchBaseOffset, int ByteIndex, byte XorMask) : TraceEntry(TimeMs);

    /// <summary>The network changed (a partition, a heal, a clog); for the reader: replay does not need it.</summary>
    public sealed record Network(long TimeMs, string Description) : TraceEntry(TimeMs);

    /// <summary>A client recorded an invocation or completion.</summary>
    public sealed record Client(HistoryEntry Entry) : TraceEntry(Entry.TimeMs);

    /// <summary>
    /// Batches a node's disk held before it started (a real broker's trace starts from whatever its disk
    /// held): appended to the replayed disk in order, from offset 0 on. Written before the first <c>started</c>.
    /// </summary>
    public sealed record Preload(long TimeMs, int NodeId, TopicPartition Log, long BaseOffset, byte[] Batches) : TraceEntry(TimeMs);

    /// <summary>A preloaded log's start offset and how much of it was durable (an empty log too: it exists).</summary>
    public sealed record PreloadExtent(long TimeMs, int NodeId, TopicPartition Log, long StartOffset, long DurableEndOffset) : TraceEntry(TimeMs);

    /// <summary>The quorum-state file the node's disk held before it started, as <see cref="Storage.MemoryLogStorage.QuorumStateFileVersion"/> bytes.</summary>
    public sealed record PreloadQuorumState(long TimeMs, int NodeId, byte[] State) : TraceEntry(TimeMs);

    public const string EffectPrefix = "  = ";

    public IEnumerable<string> FormatLines()
    {
        string time = TimeMs.ToString(CultureInfo.InvariantCulture);
        switch (this)
        {
            case Input input:
                yield return $"{time} n{input.NodeId} {input.What.Format()}";
                foreach (string effect in input.Effects) yield return EffectPrefix + effect;
                break;
            case Crash crash:
                string after = crash.AfterEffects is int k ? $" after-effects={k}" : "";
                string torn = crash.Torn.Count == 0 ? "" : " torn=" + string.Join(",", crash.Torn.Select(t => $"{t.Log}:{t.KeptUnflushedBytes}"));
                yield return $"{time} n{crash.NodeId} crash cause={TraceLine.Quote(crash.Cause)}{after}{torn}";
                break;
            case Recovery recovery:
                yield return $"{time} n{recovery.NodeId} recovered log={recovery.Log} end={recovery.EndOffset} reason={recovery.Reason}";
                break;
            case Corruption corruption:
                yield return $"{time} n{corruption.NodeId} corrupt log={corruption.Log} batch={corruption.BatchBaseOffset} byte={corruption.ByteIndex} xor={corruption.XorMask:x2}";
                break;
            case Network network:
                yield return $"{time} net {TraceLine.Quote(network.Description)}";
                break;
            case Preload preload:
                yield return $"{time} n{preload.NodeId} preload log={TraceLine.Quote(preload.Log.ToString())} base={preload.BaseOffset} bytes={Convert.ToHexStringLower(preload.Batches)}";
                break;
            case PreloadExtent extent:
                yield return $"{time} n{extent.NodeId} preload-extent log={TraceLine.Quote(extent.Log.ToString())} start={extent.StartOffset} durable={extent.DurableEndOffset}";
                break;
            case PreloadQuorumState state:
                yield return $"{time} n{state.NodeId} preload-quorum-state state={Convert.ToHexStringLower(state.State)}";
                break;
            case Client client:
                HistoryEntry entry = client.Entry;
                yield return $"{time} c{entry.ClientId} {entry.Kind.ToString().ToLowerInvariant()} op={entry.OperationId} " +
                    $"what={TraceLine.Quote(entry.Operation)} value={TraceLine.Quote(entry.Value)}";
                break;
            default:
                throw new InvalidOperationException($"unknown trace entry {GetType().Name}");
        }
    }

    /// <summary>Reads a top-level line; effect lines are added by the reader.</summary>
    public static TraceEntry Parse(string text)
    {
        TraceLine line = TraceLine.Parse(text);
        long time = long.TryParse(line.Word(0), NumberStyles.None, CultureInfo.InvariantCulture, out long t)
            ? t : throw new TraceFormatException($"'{line.Word(0)}' is not a time");
        string subject = line.Word(1);
        if (subject == "net") return new Network(time, line.Word(2));
        if (subject.StartsWith('c')) return new Client(ParseHistory(line, time, Id(subject)));
        if (!subject.StartsWith('n')) throw new TraceFormatException($"unknown subject '{subject}'");
        int node = Id(subject);
        return line.Word(2) switch
        {
            "crash" => new Crash(time, node, line.Has("after-effects") ? line.Int("after-effects") : null,
                ParseTorn(line.OptionalValue("torn")), line.Value("cause")),
            "recovered" => new Recovery(time, node, TraceInput.ParseLog(line.Value("log")), line.Long("end"),
                Enum.TryParse(line.Value("reason"), out RecordBatchError reason) ? reason : throw new TraceFormatException("unknown recovery reason")),
            "corrupt" => new Corruption(time, node, TraceInput.ParseLog(line.Value("log")), line.Long("batch"), line.Int("byte"),
                byte.Parse(line.Value("xor"), NumberStyles.HexNumber, CultureInfo.InvariantCulture)),
            "preload" => new Preload(time, node, TraceInput.ParseLog(line.Value("log")), line.Long("base"), line.Hex("bytes")),
            "preload-extent" => new PreloadExtent(time, node, TraceInput.ParseLog(line.Value("log")), line.Long("start"), line.Long("durable")),
            "preload-quorum-state" => new PreloadQuorumState(time, node, line.Hex("state")),
            _ => new Input(time, node, TraceInput.Parse(line), []),
        };
    }

    private static HistoryEntry ParseHistory(TraceLine line, long time, int clientId) =>
        new(time, clientId, line.Long("op"),
            Enum.TryParse(line.Word(2), ignoreCase: true, out HistoryKind kind) ? kind : throw new TraceFormatException($"unknown history kind '{line.Word(2)}'"),
            line.Value("what"), line.Value("value"));

    private static IReadOnlyList<TornWrite> ParseTorn(string? text) => text is null
        ? []
        : text.Split(',').Select(part =>
        {
            int colon = part.LastIndexOf(':');
            return new TornWrite(TraceInput.ParseLog(part[..colon]), int.Parse(part[(colon + 1)..], CultureInfo.InvariantCulture));
        }).ToList();

    private static int Id(string subject) =>
        int.TryParse(subject[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : throw new TraceFormatException($"'{subject}' names no node or client");
}
