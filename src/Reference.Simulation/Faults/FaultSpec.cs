namespace Reference.Simulation.Faults;

/// <summary>
/// What a run is asked to suffer: a profile to draw from, and knobs fixed by hand that every seed keeps
/// (written "all", "network,loss=0.05", "crash-interval-ms=5s,restart-empty=0.1").
/// </summary>
public sealed record FaultSpec(FaultProfile Profile, IReadOnlyDictionary<string, long> Fixed)
{
    public static FaultSpec None { get; } = new(FaultProfile.None, new SortedDictionary<string, long>(StringComparer.Ordinal));

    public static FaultSpec Of(FaultProfile profile) => new(profile, new SortedDictionary<string, long>(StringComparer.Ordinal));

    /// <summary>The same spec with one more knob fixed.</summary>
    public FaultSpec With(string knobName, long value)
    {
        if (FaultKnob.Find(knobName) is null) throw new ArgumentException($"no fault knob named '{knobName}'", nameof(knobName));
        var fixedKnobs = new SortedDictionary<string, long>(Fixed.ToDictionary(), StringComparer.Ordinal) { [knobName] = value };
        return this with { Fixed = fixedKnobs };
    }

    /// <summary>Reads "PROFILE", "knob=value,..." or "PROFILE,knob=value,..."; false with a one-line reason otherwise.</summary>
    public static bool TryParse(string text, out FaultSpec spec, out string? error)
    {
        spec = None;
        error = null;
        var profile = FaultProfile.None;
        var fixedKnobs = new SortedDictionary<string, long>(StringComparer.Ordinal);
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            int equals = parts[i].IndexOf('=');
            if (equals < 0)
            {
                if (i == 0 && FaultProfiles.TryParse(parts[i], out profile)) continue;
                error = $"'{parts[i]}' is neither a profile (none, network, disk, process, all) first nor knob=value";
                return false;
            }
            string name = parts[i][..equals];
            string value = parts[i][(equals + 1)..];
            if (FaultKnob.Find(name) is not { } knob)
            {
                error = $"no fault knob named '{name}' (known: {string.Join(", ", FaultKnob.All.Select(k => k.Name))})";
                return false;
            }
            if (!knob.TryParse(value, out long parsed))
            {
                error = $"'{value}' is not a valid {knob.Unit.ToString().ToLowerInvariant()} for {name}";
                return false;
            }
            fixedKnobs[name] = parsed;
        }
        spec = new FaultSpec(profile, fixedKnobs);
        return true;
    }

    public override string ToString() =>
        string.Join(",", new[] { Profile.Name() }.Concat(Fixed.Select(f => $"{f.Key}={FaultKnob.Find(f.Key)!.Format(f.Value)}")));
}
