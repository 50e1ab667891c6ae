using Reference.Core.Node;
using Reference.Simulation.Workload;

namespace Reference.Simulation.Monitors;

/// <summary>
/// One event of a run as monitors and traces see it: one top-level line of the trace. Network internals
/// (a message queued behind another, a message lost) are not events: nothing a monitor can see changes.
/// </summary>
public abstract record SimulationEvent(long TimeMs)
{
    /// <summary>A node handled an input and asked for these effects (all of them, even if a crash cut the step short).</summary>
    public sealed record InputDelivered(long TimeMs, int NodeId, NodeInput Input, IReadOnlyList<NodeEffect> Effects) : SimulationEvent(TimeMs)
    {
        /// <summary>
        /// <see cref="Effects"/> as a span, for the monitors that walk a step's effects after every event: the core
        /// returns an array, and walking it through the list's interface cost a stub call per effect. Another
        /// list (a test's) is copied.
        /// </summary>
        public ReadOnlySpan<NodeEffect> EffectSpan => Effects is NodeEffect[] array ? array : [.. Effects];
    }

    /// <summary>A node stopped: a crash the faults drew, or its disk failing a read.</summary>
    public sealed record NodeCrashed(long TimeMs, int NodeId, string Cause) : SimulationEvent(TimeMs);

    /// <summary>Recovery cut a node's log on restart.</summary>
    public sealed record LogRecovered(long TimeMs, int NodeId, Storage.RecoveryCut Cut) : SimulationEvent(TimeMs);

    /// <summary>A fault changed the world: a partition, a heal, a clog, a rotted sector.</summary>
    public sealed record FaultInjected(long TimeMs, string Description) : SimulationEvent(TimeMs);

    /// <summary>A workload client recorded an operation's invocation or completion.</summary>
    public sealed record HistoryRecorded(long TimeMs, HistoryEntry Entry) : SimulationEvent(TimeMs);
}
