using Reference.Simulation.Randomness;

namespace Reference.Simulation.Faults;

/// <summary>
/// The fault knobs one seed runs with, drawn from its <see cref="FaultSpec"/>: a knob fixed by hand keeps
/// its value; a knob of a category the profile enables is drawn (and, if toggled, switched on or off) from
/// its own stream "swarm/NAME", so the same seed always draws the same mix and adding a knob leaves the
/// others' draws alone; every other knob is off.
/// </summary>
public sealed class FaultKnobs
{
    private readonly SortedDictionary<string, long> _values;

    private FaultKnobs(FaultProfile profile, SortedDictionary<string, long> values)
    {
        Profile = profile;
        _values = values;
        // Read once: the network and the disks ask for these at every message and fsync, and a lookup by name
        // in the sorted dictionary cost more than the draw it served.
        LatencyMinMs = this[FaultKnob.LatencyMinMs];
        LatencyMeanMs = Math.Max(this[FaultKnob.LatencyMeanMs], LatencyMinMs);
        LatencyTail = new((int)this[FaultKnob.LatencyTail]);
        Loss = new((int)this[FaultKnob.Loss]);
        Duplicate = new((int)this[FaultKnob.Duplicate]);
        Reorder = new((int)this[FaultKnob.Reorder]);
        PartitionIntervalMs = this[FaultKnob.PartitionIntervalMs];
        PartitionDurationMs = this[FaultKnob.PartitionDurationMs];
        PartitionOneWay = new((int)this[FaultKnob.PartitionOneWay]);
        ClogIntervalMs = this[FaultKnob.ClogIntervalMs];
        ClogDurationMs = this[FaultKnob.ClogDurationMs];
        FlushLatencyMs = this[FaultKnob.FlushLatencyMs];
        TornWrite = new((int)this[FaultKnob.TornWrite]);
        CorruptIntervalMs = this[FaultKnob.CorruptIntervalMs];
        CrashIntervalMs = this[FaultKnob.CrashIntervalMs];
        RestartDelayMs = this[FaultKnob.RestartDelayMs];
        CrashMidStep = new((int)this[FaultKnob.CrashMidStep]);
        RestartEmpty = new((int)this[FaultKnob.RestartEmpty]);
        NodesDownMax = this[FaultKnob.NodesDownMax];
        VoterDataLoss = this[FaultKnob.VoterDataLoss] != 0;
    }

    public FaultProfile Profile { get; }

    public static FaultKnobs Draw(FaultSpec spec, RandomStreams streams)
    {
        var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (FaultKnob knob in FaultKnob.All)
        {
            if (spec.Fixed.TryGetValue(knob.Name, out long fixedValue)) values[knob.Name] = fixedValue;
            else if (knob.ManualOnly || !IsDrawn(spec.Profile, knob)) values[knob.Name] = knob.OffValue;
            else values[knob.Name] = DrawOne(knob, streams.Stream($"swarm/{knob.Name}"));
        }
        return new FaultKnobs(spec.Profile, values);
    }

    private static bool IsDrawn(FaultProfile profile, FaultKnob knob) =>
        profile.Enables(knob.Category) || knob.AlsoInDiskProfile && profile.Enables(FaultCategory.Disk);

    private static long DrawOne(FaultKnob knob, Core.Node.SplitMix64Random random)
    {
        bool on = !knob.SwarmToggled || random.Next(2) == 0;
        long span = knob.SwarmMax - knob.SwarmMin + 1;
        long value = knob.SwarmMin + (long)(random.NextUInt64() % (ulong)span);
        return on ? value : knob.OffValue;
    }

    public long this[string knobName] => _values.TryGetValue(knobName, out long value)
        ? value
        : throw new ArgumentException($"no fault knob named '{knobName}'", nameof(knobName));

    public long LatencyMinMs { get; }
    public long LatencyMeanMs { get; }
    public Probability LatencyTail { get; }
    public Probability Loss { get; }
    public Probability Duplicate { get; }
    public Probability Reorder { get; }
    public long PartitionIntervalMs { get; }
    public long PartitionDurationMs { get; }
    public Probability PartitionOneWay { get; }
    public long ClogIntervalMs { get; }
    public long ClogDurationMs { get; }
    public long FlushLatencyMs { get; }
    public Probability TornWrite { get; }
    public long CorruptIntervalMs { get; }
    public long CrashIntervalMs { get; }
    public long RestartDelayMs { get; }
    public Probability CrashMidStep { get; }
    public Probability RestartEmpty { get; }
    public long NodesDownMax { get; }
    public bool VoterDataLoss { get; }

    /// <summary>The knobs that are on (not at their off value), for summaries.</summary>
    public IReadOnlyList<string> Active => FaultKnob.All
        .Where(k => k.SwarmToggled && _values[k.Name] != k.OffValue || k.ManualOnly && _values[k.Name] != k.OffValue)
        .Select(k => k.Name).ToList();

    /// <summary>Every knob as name=value, in <see cref="FaultKnob.All"/>'s order: the trace header's line.</summary>
    public override string ToString() =>
        $"profile={Profile.Name()} " + string.Join(" ", FaultKnob.All.Select(k => $"{k.Name}={k.Format(_values[k.Name])}"));
}
