namespace Reference.Simulation.Faults;

/// <summary>
/// A named family of faults a run may draw from. Within the profile each seed draws its own mix (swarm
/// testing: every seed turns some knobs on and leaves others off, with its own intensities, so some runs
/// are dense with one fault and free of the rest, which finds bugs that an even mix of everything hides).
/// </summary>
public enum FaultProfile
{
    /// <summary>Nothing goes wrong: latency only. Any violation is a plain logic bug.</summary>
    None,

    /// <summary>Loss, duplication, reordering, latency spread, partitions (also one-way) and clogged links.</summary>
    Network,

    /// <summary>Flush latency, power cuts that lose or tear unflushed writes, and rotting sectors.</summary>
    Disk,

    /// <summary>Crashes (also in the middle of carrying out a step), restarts after a delay, restarts with an empty disk.</summary>
    Process,

    /// <summary>Everything above.</summary>
    All,
}

/// <summary>Which part of the world a knob disturbs; a profile enables one or more of them.</summary>
public enum FaultCategory
{
    Network,
    Disk,
    Process,
}

public static class FaultProfiles
{
    public static bool Enables(this FaultProfile profile, FaultCategory category) => profile switch
    {
        FaultProfile.None => false,
        FaultProfile.Network => category == FaultCategory.Network,
        FaultProfile.Disk => category == FaultCategory.Disk,
        FaultProfile.Process => category == FaultCategory.Process,
        FaultProfile.All => true,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, null),
    };

    /// <summary>The profile's name as the command line writes it.</summary>
    public static string Name(this FaultProfile profile) => profile.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out FaultProfile profile)
    {
        foreach (FaultProfile candidate in Enum.GetValues<FaultProfile>())
        {
            if (candidate.Name() != name) continue;
            profile = candidate;
            return true;
        }
        profile = FaultProfile.None;
        return false;
    }
}
