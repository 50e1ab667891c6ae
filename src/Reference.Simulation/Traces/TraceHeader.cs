using System.Globalization;
using Reference.Core.Node;

namespace Reference.Simulation.Traces;

/// <summary>
/// A node as the trace header names it: its role and a digest of its configuration, so replay can tell it
/// builds the same nodes. A broker's trace also carries the whole configuration (<see cref="ConfigJson"/>,
/// <see cref="NodeConfigJson"/>): server.properties is not in the trace, so replay builds the node from it.
/// </summary>
public sealed record TraceNode(int NodeId, bool IsVoter, string ConfigDigest, string? ConfigJson = null);

/// <summary>
/// What a trace needs to be replayed and understood: the format, the build that wrote it, the seed, the
/// cluster, the faults drawn, the workload, the duration and bounds, and the monitors that watched.
/// </summary>
public sealed record TraceHeader
{
    public const string Magic = "kraft-simulation-trace";

    /// <summary>What wrote the trace: the simulator, or a real broker recording its core's inputs (<c>trace.record.path</c>).</summary>
    public const string SimulatorSource = "simulator";
    public const string BrokerSource = "broker";
    public const int CurrentFormatVersion = 1;

    private const string MetadataIdleKey = "metadata-max-idle-interval-ms";

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Build { get; init; }
    public required ulong Seed { get; init; }
    public required string ClusterId { get; init; }
    public required string NodeImplementation { get; init; }
    public required IReadOnlyList<TraceNode> Nodes { get; init; }

    /// <summary>Flaws switched back on in every node (<see cref="ReintroducedBugNames"/>); a line only when there are some, so older traces read unchanged.</summary>
    public ReintroducedBugs Bugs { get; init; } = ReintroducedBugs.None;

    /// <summary>The run's <c>metadata.max.idle.interval.ms</c> when it set one (<see cref="SimulationOptions.MetadataMaxIdleIntervalMs"/>); a line only then, so older traces read unchanged.</summary>
    public int? MetadataMaxIdleIntervalMs { get; init; }

    /// <summary><see cref="SimulatorSource"/> or <see cref="BrokerSource"/>; a line only for a broker, so simulator traces read unchanged.</summary>
    public string Source { get; init; } = SimulatorSource;
    public required string FaultSpec { get; init; }
    public required string FaultKnobs { get; init; }
    public required string Workload { get; init; }
    public required long DurationMs { get; init; }
    public required long EventsMax { get; init; }
    public required IReadOnlyList<string> Monitors { get; init; }

    public int Voters => Nodes.Count(n => n.IsVoter);
    public int Observers => Nodes.Count(n => !n.IsVoter);

    public IEnumerable<string> FormatLines()
    {
        yield return $"{Magic} {FormatVersion}";
        yield return $"build {TraceLine.Quote(Build)}";
        yield return $"seed {Seed.ToString(CultureInfo.InvariantCulture)}";
        yield return $"cluster voters={Voters} observers={Observers} cluster-id={TraceLine.Quote(ClusterId)} node={TraceLine.Quote(NodeImplementation)}";
        if (Source != SimulatorSource) yield return $"source {Source}";
        foreach (TraceNode node in Nodes)
            yield return $"node n{node.NodeId} {(node.IsVoter ? "voter" : "observer")} config={node.ConfigDigest}" +
                (node.ConfigJson is { } json ? $" json={TraceLine.Quote(json)}" : "");
        if (Bugs != ReintroducedBugs.None) yield return $"bugs {ReintroducedBugNames.Format(Bugs)}";
        if (MetadataMaxIdleIntervalMs is int idleMs) yield return $"{MetadataIdleKey} {idleMs.ToString(CultureInfo.InvariantCulture)}";
        yield return $"faults spec={FaultSpec} {FaultKnobs}";
        yield return $"workload {TraceLine.Quote(Workload)}";
        yield return $"duration-ms {DurationMs.ToString(CultureInfo.InvariantCulture)}";
        yield return $"limits events-max={EventsMax.ToString(CultureInfo.InvariantCulture)}";
        yield return $"monitors {TraceLine.Quote(string.Join(",", Monitors))}";
        yield return "begin";
    }

    private static int MetadataIdle(TraceLine line) =>
        int.TryParse(line.Word(1), NumberStyles.None, CultureInfo.InvariantCulture, out int idleMs)
            ? idleMs
            : throw new TraceFormatException($"the '{MetadataIdleKey}' line takes milliseconds, 0 or more, not '{line.Word(1)}'");

    /// <summary>Reads the header's lines (up to "begin", not included).</summary>
    public static TraceHeader Parse(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0 || !lines[0].StartsWith(Magic + " ", StringComparison.Ordinal)) throw new TraceFormatException($"not a trace: the first line must be '{Magic} N'");
        int version = int.Parse(lines[0][(Magic.Length + 1)..], CultureInfo.InvariantCulture);
        if (version != CurrentFormatVersion) throw new TraceFormatException($"trace format {version}; this build reads {CurrentFormatVersion}");
        var byKey = new Dictionary<string, TraceLine>(StringComparer.Ordinal);
        var nodes = new List<TraceNode>();
        foreach (string text in lines.Skip(1))
        {
            TraceLine line = TraceLine.Parse(text);
            if (line.Word(0) == "node")
                nodes.Add(new TraceNode(int.Parse(line.Word(1)[1..], CultureInfo.InvariantCulture), line.Word(2) == "voter", line.Value("config"), line.OptionalValue("json")));
            else byKey[line.Word(0)] = line;
        }
        TraceLine Required(string key) => byKey.TryGetValue(key, out TraceLine? line) ? line : throw new TraceFormatException($"the header has no '{key}' line");
        string faultsLine = lines.First(l => l.StartsWith("faults ", StringComparison.Ordinal));
        TraceLine cluster = Required("cluster");
        ReintroducedBugs bugs = ReintroducedBugs.None;
        if (byKey.TryGetValue("bugs", out TraceLine? bugsLine) && !ReintroducedBugNames.TryParse(bugsLine.Word(1), out bugs, out string? unknown))
            throw new TraceFormatException($"the 'bugs' line: {unknown}");
        return new TraceHeader
        {
            FormatVersion = version,
            Build = Required("build").Word(1),
            Seed = ulong.Parse(Required("seed").Word(1), CultureInfo.InvariantCulture),
            ClusterId = cluster.Value("cluster-id"),
            NodeImplementation = cluster.Value("node"),
            Nodes = nodes,
            Bugs = bugs,
            MetadataMaxIdleIntervalMs = byKey.TryGetValue(MetadataIdleKey, out TraceLine? idle) ? MetadataIdle(idle) : null,
            Source = byKey.TryGetValue("source", out TraceLine? source) ? source.Word(1) : SimulatorSource,
            FaultSpec = Required("faults").Value("spec"),
            FaultKnobs = faultsLine[(faultsLine.IndexOf(" profile=", StringComparison.Ordinal) + 1)..],
            Workload = Required("workload").Word(1),
            DurationMs = long.Parse(Required("duration-ms").Word(1), CultureInfo.InvariantCulture),
            EventsMax = Required("limits").Long("events-max"),
            Monitors = Required("monitors").Words.Count > 1 && Required("monitors").Word(1).Length > 0
                ? Required("monitors").Word(1).Split(',') : [],
        };
    }
}

/// <summary>The end of a trace: where the run stopped, and what it demonstrated.</summary>
public sealed record TraceEnd(long TimeMs, long Events, StopReason Stop, SimulationOutcome Outcome)
{
    public IEnumerable<string> FormatLines()
    {
        yield return $"end time-ms={TimeMs.ToString(CultureInfo.InvariantCulture)} events={Events.ToString(CultureInfo.InvariantCulture)} stop={Stop}";
        yield return Outcome.IsOk
            ? "outcome ok"
            : $"outcome violation name={TraceLine.Quote(Outcome.ViolationName!)} message={TraceLine.Quote(Outcome.Message ?? "")}";
    }

    public static TraceEnd Parse(string endLine, string outcomeLine)
    {
        TraceLine end = TraceLine.Parse(endLine);
        TraceLine outcome = TraceLine.Parse(outcomeLine);
        if (end.Word(0) != "end" || outcome.Word(0) != "outcome") throw new TraceFormatException("a trace ends with an 'end' line and an 'outcome' line");
        SimulationOutcome result = outcome.Word(1) == "ok"
            ? SimulationOutcome.Ok
            : SimulationOutcome.Violation(outcome.Value("name"), outcome.Value("message"));
        return new TraceEnd(end.Long("time-ms"), end.Long("events"),
            Enum.TryParse(end.Value("stop"), out StopReason stop) ? stop : throw new TraceFormatException("unknown stop reason"), result);
    }
}
