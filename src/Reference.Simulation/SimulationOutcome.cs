namespace Reference.Simulation;

/// <summary>How a run ended: ok, or the first violation (the monitor's or the simulator's own name, and what it saw).</summary>
public sealed record SimulationOutcome(string? ViolationName, string? Message)
{
    public static SimulationOutcome Ok { get; } = new(null, null);

    public bool IsOk => ViolationName is null;

    public static SimulationOutcome Violation(string name, string message) => new(name, message);

    public override string ToString() => IsOk ? "ok" : $"violation {ViolationName}: {Message}";
}

/// <summary>Why a run stopped.</summary>
public enum StopReason
{
    /// <summary>Virtual time reached the run's duration.</summary>
    DurationReached,
    /// <summary>The run processed its bound of events first (its duration was not reached).</summary>
    EventLimit,
    /// <summary>Nothing was left to happen: no timer, message or fault pending.</summary>
    Idle,
    /// <summary>A monitor or the simulator found a violation.</summary>
    Violation,
    /// <summary>An explored run took its bound of scheduling steps (and its fair suffix, if it had one).</summary>
    StepLimit,
}

/// <summary>The names of violations the simulator itself reports, beside the monitors'.</summary>
public static class SimulatorViolations
{
    /// <summary>What an explored run's liveness violations are named with: Liveness.MonitorName.</summary>
    public const string LivenessPrefix = "Liveness.";

    /// <summary>A node threw from <c>Handle</c> (an assertion failed): a bug, reported with its message.</summary>
    public const string NodeThrew = "Simulator.NodeThrew";

    /// <summary>A frame we encoded did not decode: a codec bug, or a body its version cannot carry.</summary>
    public const string WireCodec = "Simulator.WireCodec";

    /// <summary>A node broke the shell contract (README.md of Reference.Core) on the network: an answer on the wrong connection, a request to itself.</summary>
    public const string ShellContract = "Simulator.ShellContract";

    /// <summary>A node broke the shell contract on its disk: an append not at the log end, or of a batch that fails its CRC.</summary>
    public const string DiskContract = "Simulator.DiskContract";

    /// <summary>A workload threw from a callback: a bug in the workload, not in the nodes.</summary>
    public const string WorkloadThrew = "Simulator.WorkloadThrew";

    /// <summary>A bound was exceeded: the event queue, a connection's backlog, a node's wake-ups.</summary>
    public const string Bound = "Simulator.Bound";

    public static string NodeThrewMessage(int nodeId, Exception error, Core.Node.NodeInput input) =>
        $"n{nodeId} threw {error.GetType().Name} handling {input.GetType().Name}: {error.Message}";

    public static string AppendRefusedMessage(int nodeId, Core.Node.NodeEffect.AppendToLog append, Core.Log.ILogStorage disk) =>
        $"n{nodeId} appended to {append.Log} at offset {append.BaseOffset}, but the log ends at {disk.Extent(append.Log).EndOffset} or a batch does not frame or fails its CRC";
}
