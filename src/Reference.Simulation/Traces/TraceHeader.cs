using System.Globalization;

namespace Reference.Simulation.Traces;

/// <summary>A node as the trace header names it: its role and a digest of its configuration, so replay can tell it builds the same nodes.</summary>
public sealed record TraceNode(int NodeId, bool IsVoter, string ConfigDigest);

/// <summary>
/// What a trace needs to be replayed and understood: the format, the build that wrote it, the seed, the
/// cluster, the faults drawn, the workload, the duration and bounds, and the monitors that watched.
/// </summary>
public sealed record TraceHeader
{
    public const string Magic = "kraft-simulation-trace";
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Build { get; init; }
    public required ulong Seed { get; init; }
    public required string ClusterId { get; init; }
    public required string NodeImplementation { get; init; }
    public required IReadOnlyList<TraceNode> Nodes { get; init; }
    public required string FaultSpec { get; init; }
    public required string FaultKnobs { get; init; }
    public required string Workload { get; init; }
    public required long DurationMs { get; init; }
    public required long EventsMax { get; init; }
    public required IReadOnlyList<string> Monitors { get; init; }

    /// <summary>
    /// The historical flaws the nodes ran with (the explorer's museum); a line of its own only when some are
    /// on, so every other trace reads as before. Replay builds its nodes with the same switches.
    /// </summary>
    public Core.Node.ReintroducedBugs ReintroducedBugs { get; init; }

    public int Voters => Nodes.Count(n => n.IsVoter);
    public int Observers => Nodes.Count(n => !n.IsVoter);

    public IEnumerable<string> FormatLines()
    {
        yield return $"{Magic} {FormatVersion}";
        yield return $"build {TraceLine.Quote(Build)}";
        yield return $"seed {Seed.ToString(CultureInfo.InvariantCulture)}";
        yield return $"cluster voters={Voters} observers={Observers} cluster-id={TraceLine.Quote(ClusterId)} node={TraceLine.Quote(NodeImplementation)}";
        foreach (TraceNode node in Nodes) yield return $"node n{node.NodeId} {(node.IsVoter ? "voter" : "observer")} config={node.ConfigDigest}";
        yield return $"faults spec={FaultSpec} {FaultKnobs}";
        yield return $"workload {TraceLine.Quote(Workload)}";
        yield return $"duration-ms {DurationMs.ToString(CultureInfo.InvariantCulture)}";
        yield return $"limits events-max={EventsMax.ToString(CultureInfo.InvariantCulture)}";
        yield return $"monitors {TraceLine.Quote(string.Join(",", Monitors))}";
        if (ReintroducedBugs != Core.Node.ReintroducedBugs.None) yield return $"reintroduced-bugs {TraceLine.Quote(ReintroducedBugs.ToString().Replace(" ", "", StringComparison.Ordinal))}";
        yield return "begin";
    }

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
            if (line.Word(0) == "node") nodes.Add(new TraceNode(int.Parse(line.Word(1)[1..], CultureInfo.InvariantCulture), line.Word(2) == "voter", line.Value("config")));
            else byKey[line.Word(0)] = line;
        }
        TraceLine Required(string key) => byKey.TryGetValue(key, out TraceLine? line) ? line : throw new TraceFormatException($"the header has no '{key}' line");
        string faultsLine = lines.First(l => l.StartsWith("faults ", StringComparison.Ordinal));
        TraceLine cluster = Required("cluster");
        return new TraceHeader
        {
            FormatVersion = version,
            Build = Required("build").Word(1),
            Seed = ulong.Parse(Required("seed").Word(1), CultureInfo.InvariantCulture),
            ClusterId = cluster.Value("cluster-id"),
            NodeImplementation = cluster.Value("node"),
            Nodes = nodes,
            FaultSpec = Required("faults").Value("spec"),
            FaultKnobs = faultsLine[(faultsLine.IndexOf(" profile=", StringComparison.Ordinal) + 1)..],
            Workload = Required("workload").Word(1),
            DurationMs = long.Parse(Required("duration-ms").Word(1), CultureInfo.InvariantCulture),
            EventsMax = Required("limits").Long("events-max"),
            Monitors = Required("monitors").Words.Count > 1 && Required("monitors").Word(1).Length > 0
                ? Required("monitors").Word(1).Split(',') : [],
            ReintroducedBugs = byKey.TryGetValue("reintroduced-bugs", out TraceLine? bugs)
                ? Enum.TryParse(bugs.Word(1), out Core.Node.ReintroducedBugs parsed) ? parsed : throw new TraceFormatException($"unknown reintroduced bugs '{bugs.Word(1)}'")
                : Core.Node.ReintroducedBugs.None,
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
