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

    public long LatencyMinMs => this[FaultKnob.LatencyMinMs];
    public long LatencyMeanMs => Math.Max(this[FaultKnob.LatencyMeanMs], LatencyMinMs);
    public Probability LatencyTail => new((int)this[FaultKnob.LatencyTail]);
    public Probability Loss => new((int)this[FaultKnob.Loss]);
    public Probability Duplicate => new((int)this[FaultKnob.Duplicate]);
    public Probability Reorder => new((int)this[FaultKnob.Reorder]);
    public long PartitionIntervalMs => this[FaultKnob.PartitionIntervalMs];
    public long PartitionDurationMs => this[FaultKnob.PartitionDurationMs];
    public Probability PartitionOneWay => new((int)this[FaultKnob.PartitionOneWay]);
    public long ClogIntervalMs => this[FaultKnob.ClogIntervalMs];
    public long ClogDurationMs => this[FaultKnob.ClogDurationMs];
    public long FlushLatencyMs => this[FaultKnob.FlushLatencyMs];
    public Probability TornWrite => new((int)this[FaultKnob.TornWrite]);
    public long CorruptIntervalMs => this[FaultKnob.CorruptIntervalMs];
    public long CrashIntervalMs => this[FaultKnob.CrashIntervalMs];
    public long RestartDelayMs => this[FaultKnob.RestartDelayMs];
    public Probability CrashMidStep => new((int)this[FaultKnob.CrashMidStep]);
    public Probability RestartEmpty => new((int)this[FaultKnob.RestartEmpty]);
    public long NodesDownMax => this[FaultKnob.NodesDownMax];
    public bool VoterDataLoss => this[FaultKnob.VoterDataLoss] != 0;

    /// <summary>The knobs that are on (not at their off value), for summaries.</summary>
    public IReadOnlyList<string> Active => FaultKnob.All
        .Where(k => k.SwarmToggled && _values[k.Name] != k.OffValue || k.ManualOnly && _values[k.Name] != k.OffValue)
        .Select(k => k.Name).ToList();

    /// <summary>Every knob as name=value, in <see cref="FaultKnob.All"/>'s order: the trace header's line.</summary>
    public override string ToString() =>
        $"profile={Profile.Name()} " + string.Join(" ", FaultKnob.All.Select(k => $"{k.Name}={k.Format(_values[k.Name])}"));
}
