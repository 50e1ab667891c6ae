using Reference.Simulation.Faults;
using Reference.Simulation.Monitors;

namespace Reference.Simulation;

/// <summary>What a run did: how it ended, how far it got, what it checked and what it reached.</summary>
public sealed record SimulationResult
{
    public required ulong Seed { get; init; }
    public required SimulationOutcome Outcome { get; init; }
    public required StopReason Stop { get; init; }

    /// <summary>The virtual time the run covered.</summary>
    public required long VirtualTimeMs { get; init; }

    /// <summary>Events in the monitors' and traces' sense: inputs delivered, crashes, recoveries, faults, history entries.</summary>
    public required long Events { get; init; }

    /// <summary>Inputs delivered to nodes (a subset of <see cref="Events"/>).</summary>
    public required long InputsDelivered { get; init; }

    /// <summary>Monitor checks made: monitors × events.</summary>
    public required long MonitorChecks { get; init; }

    public required int Monitors { get; init; }
    public required CoverageReport Coverage { get; init; }
    public required FaultKnobs Faults { get; init; }
    public required long MessagesSent { get; init; }
    public required long MessagesLost { get; init; }
    public required int Crashes { get; init; }

    /// <summary>Entries the workload's clients recorded in the history (invocations and completions).</summary>
    public required int HistoryEntries { get; init; }

    /// <summary>Choices an explored run's chooser made (0 for a simulated run).</summary>
    public long ExplorationSteps { get; init; }

    /// <summary>An explored run reached the end of its fair suffix, so its liveness monitors were judged.</summary>
    public bool FairSuffixCompleted { get; init; }

    /// <summary>The leader changes a monitor counted (<see cref="CoverageGoals.LeaderChange"/>), or null when no monitor counts them.</summary>
    public long? LeaderChanges => Coverage.Goals.Any(g => g.Name == CoverageGoals.LeaderChange) ? Coverage.Count(CoverageGoals.LeaderChange) : null;
}
