using Reference.Core;
using Reference.Simulation.Storage;

namespace Reference.Simulation.Faults;

/// <summary>A fault at a chosen virtual time, for scenarios and tests (the profile's faults come at drawn times).</summary>
public sealed record ScheduledFault(long AtMs, ClusterFault Fault);

/// <summary>Faults a scenario can ask for by name. Each is recorded in the trace like a drawn one.</summary>
public abstract record ClusterFault
{
    /// <summary>
    /// Power cut. <paramref name="Torn"/> fixes what of each unflushed tail survives (null: draw it from the
    /// torn-write knob). <paramref name="RestartAfterMs"/>: restart that much later (null: stay down).
    /// </summary>
    public sealed record Crash(int NodeId, long? RestartAfterMs = null, bool EmptyDiskOnRestart = false, IReadOnlyList<TornWrite>? Torn = null) : ClusterFault;

    /// <summary>The node crashes during its next step, after carrying out <paramref name="AfterEffects"/> of its effects (fewer if it asks for fewer).</summary>
    public sealed record CrashDuringNextStep(int NodeId, int AfterEffects, long? RestartAfterMs = null) : ClusterFault;

    /// <summary>Starts a node that is down.</summary>
    public sealed record Restart(int NodeId, bool EmptyDisk = false) : ClusterFault;

    /// <summary>Messages from one node to another are lost (both ways unless <paramref name="OneWay"/>) until healed.</summary>
    public sealed record Partition(int FromNodeId, int ToNodeId, bool OneWay = false, long? HealAfterMs = null) : ClusterFault;

    /// <summary>Undoes one <see cref="Partition"/> with the same ends and direction.</summary>
    public sealed record Heal(int FromNodeId, int ToNodeId, bool OneWay = false) : ClusterFault;

    /// <summary>Cuts a node off from every other node, both ways, for a while.</summary>
    public sealed record Isolate(int NodeId, long HealAfterMs) : ClusterFault;

    /// <summary>Holds messages on a link (not lost) until the clog ends.</summary>
    public sealed record Clog(int FromNodeId, int ToNodeId, long DurationMs) : ClusterFault;

    /// <summary>Flips bits in a byte of a durable batch (a byte the CRC covers).</summary>
    public sealed record CorruptByte(int NodeId, TopicPartition Log, long BatchBaseOffset, int ByteIndex, byte XorMask) : ClusterFault;
}
