using System.Globalization;
using Reference.Simulation.Randomness;

namespace Reference.Simulation.Faults;

/// <summary>What a knob's number means, which decides how it is written and read.</summary>
public enum KnobUnit
{
    /// <summary>Parts per million, written as a fraction ("0.01") or a percentage ("1%").</summary>
    Probability,
    /// <summary>Milliseconds of virtual time, written "250", "250ms", "5s" or "2m".</summary>
    Milliseconds,
    /// <summary>A count of nodes.</summary>
    Count,
    /// <summary>On or off.</summary>
    Flag,
}

/// <summary>
/// One fault knob: its name on the command line and in traces, what it disturbs, its value when its
/// category is off, and the range a seed draws from when its category is on. A knob marked
/// <see cref="SwarmToggled"/> is also switched on or off per seed (with even odds); the others are always
/// drawn from their range (latencies, durations: a fault's shape rather than its presence).
/// </summary>
public sealed record FaultKnob(
    string Name,
    FaultCategory Category,
    KnobUnit Unit,
    long OffValue,
    long SwarmMin,
    long SwarmMax,
    bool SwarmToggled,
    string Description)
{
    /// <summary>Draws in the disk profile too, although it is a process fault: only a crash can lose or tear a write.</summary>
    public bool AlsoInDiskProfile { get; init; }

    /// <summary>Never drawn, only set by hand: faults outside the protocol's fault model.</summary>
    public bool ManualOnly { get; init; }

    public string Format(long value) => Unit switch
    {
        KnobUnit.Probability => new Probability((int)value).ToString(),
        KnobUnit.Milliseconds => $"{value.ToString(CultureInfo.InvariantCulture)}ms",
        KnobUnit.Flag => value != 0 ? "on" : "off",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public bool TryParse(string text, out long value)
    {
        value = 0;
        switch (Unit)
        {
            case KnobUnit.Probability:
                if (!Probability.TryParse(text, out Probability probability)) return false;
                value = probability.Ppm;
                return true;
            case KnobUnit.Milliseconds:
                return TryParseMilliseconds(text, out value);
            case KnobUnit.Flag:
                if (text is "on" or "true" or "1") value = 1;
                else if (text is not ("off" or "false" or "0")) return false;
                return true;
            default:
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>"250", "250ms", "5s", "2m": virtual milliseconds.</summary>
    public static bool TryParseMilliseconds(string text, out long milliseconds)
    {
        (string number, long scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1L),
            _ when text.EndsWith('s') => (text[..^1], 1000L),
            _ when text.EndsWith('m') => (text[..^1], 60_000L),
            _ => (text, 1L),
        };
        milliseconds = 0;
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count > long.MaxValue / scale) return false;
        milliseconds = count * scale;
        return true;
    }

    public const string LatencyMinMs = "latency-min-ms";
    public const string LatencyMeanMs = "latency-mean-ms";
    public const string LatencyTail = "latency-tail";
    public const string Loss = "loss";
    public const string Duplicate = "duplicate";
    public const string Reorder = "reorder";
    public const string PartitionIntervalMs = "partition-interval-ms";
    public const string PartitionDurationMs = "partition-duration-ms";
    public const string PartitionOneWay = "partition-one-way";
    public const string ClogIntervalMs = "clog-interval-ms";
    public const string ClogDurationMs = "clog-duration-ms";
    public const string FlushLatencyMs = "flush-latency-ms";
    public const string TornWrite = "torn-write";
    public const string CorruptIntervalMs = "corrupt-interval-ms";
    public const string CrashIntervalMs = "crash-interval-ms";
    public const string RestartDelayMs = "restart-delay-ms";
    public const string CrashMidStep = "crash-mid-step";
    public const string RestartEmpty = "restart-empty";
    public const string NodesDownMax = "nodes-down-max";
    public const string VoterDataLoss = "voter-data-loss";

    private const int Percent = Probability.PartsPerMillion / 100;

    /// <summary>Every knob, in the order traces list them. Adding one never shifts another's draws: each draws from its own stream.</summary>
    public static IReadOnlyList<FaultKnob> All { get; } =
    [
        new(LatencyMinMs, FaultCategory.Network, KnobUnit.Milliseconds, 1, 0, 5, false,
            "The least one-way delay of a message."),
        new(LatencyMeanMs, FaultCategory.Network, KnobUnit.Milliseconds, 3, 1, 50, false,
            "The mean one-way delay; each link draws its own mean around it, so some links are slower."),
        new(LatencyTail, FaultCategory.Network, KnobUnit.Probability, 0, 0, 2 * Percent, true,
            "The chance a message takes up to ten times the mean (a GC pause, a retransmit)."),
        new(Loss, FaultCategory.Network, KnobUnit.Probability, 0, 0, 5 * Percent, true,
            "The chance a message is lost; its sender hears nothing and times out."),
        new(Duplicate, FaultCategory.Network, KnobUnit.Probability, 0, 0, 2 * Percent, true,
            "The chance a message arrives twice (beyond TCP: a resend on a new connection)."),
        new(Reorder, FaultCategory.Network, KnobUnit.Probability, 0, 0, 20 * Percent, true,
            "The chance a message may overtake earlier ones on its connection (beyond TCP)."),
        new(PartitionIntervalMs, FaultCategory.Network, KnobUnit.Milliseconds, 0, 2_000, 30_000, true,
            "The mean time between partitions; 0 for none."),
        new(PartitionDurationMs, FaultCategory.Network, KnobUnit.Milliseconds, 5_000, 200, 10_000, false,
            "The mean time a partition lasts before it heals."),
        new(PartitionOneWay, FaultCategory.Network, KnobUnit.Probability, 0, 0, 50 * Percent, false,
            "The share of partitions that block one direction only."),
        new(ClogIntervalMs, FaultCategory.Network, KnobUnit.Milliseconds, 0, 1_000, 20_000, true,
            "The mean time between clogged links (messages held, not lost); 0 for none."),
        new(ClogDurationMs, FaultCategory.Network, KnobUnit.Milliseconds, 1_000, 50, 5_000, false,
            "The mean time a link stays clogged."),
        new(FlushLatencyMs, FaultCategory.Disk, KnobUnit.Milliseconds, 1, 0, 50, false,
            "The mean time an fsync takes; a node's fsyncs complete one after another."),
        new(TornWrite, FaultCategory.Disk, KnobUnit.Probability, 0, 0, 100 * Percent, true,
            "The chance, per log and crash, that part of the unflushed tail reaches the disk, cut anywhere."),
        new(CorruptIntervalMs, FaultCategory.Disk, KnobUnit.Milliseconds, 0, 5_000, 60_000, true,
            "The mean time between rotted sectors (a flipped byte in a durable batch); 0 for none."),
        new(CrashIntervalMs, FaultCategory.Process, KnobUnit.Milliseconds, 0, 2_000, 30_000, true,
            "The mean time between crashes (power cuts); 0 for none.") { AlsoInDiskProfile = true },
        new(RestartDelayMs, FaultCategory.Process, KnobUnit.Milliseconds, 1_000, 0, 5_000, false,
            "The mean time a crashed node stays down."),
        new(CrashMidStep, FaultCategory.Process, KnobUnit.Probability, 0, 0, 50 * Percent, true,
            "The chance a crash lands while a step's effects are being carried out, after only some of them."),
        new(RestartEmpty, FaultCategory.Process, KnobUnit.Probability, 0, 0, 25 * Percent, true,
            "The chance a restart finds an empty disk (a replaced drive, formatted with a new directory id); observers, and voters whose entry names a directory id."),
        new(NodesDownMax, FaultCategory.Process, KnobUnit.Count, -1, -1, -1, false,
            "The most nodes down at once; -1 for a minority of the voters plus every observer.") { ManualOnly = true },
        new(VoterDataLoss, FaultCategory.Disk, KnobUnit.Flag, 0, 0, 0, false,
            "Let voters lose durable data they cannot detect losing (rotted sectors; empty disks where no directory id names the voter): outside Raft's fault model, so expect real violations.") { ManualOnly = true },
    ];

    public static FaultKnob? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
