using Reference.Simulation;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Shrinking;

/// <summary>What shrinking kept: the smaller decision list, its run's outcome, and how many runs it took.</summary>
public sealed record ShrinkResult(IReadOnlyList<ScheduleChoice> Decisions, SimulationOutcome Outcome, int Runs);

/// <summary>
/// Delta debugging (Zeller and Hildebrandt's ddmin) over an iteration's decision list: remove chunks of
/// decisions, halving the chunk size when no removal keeps the failure, until no single decision can go.
/// A candidate "still fails" when its guided re-run (<see cref="Strategies.GuidedStrategy"/>) ends with a
/// violation of the same name; the fair suffix, if the campaign has one, runs after it as before, so a
/// liveness finding shrinks too. Removing a decision removes a fault or a step; later decisions that no
/// longer match an enabled choice are skipped, so every candidate is a real schedule of the real nodes.
/// Bounded by <paramref name="runsMax"/> re-runs.
/// <para>
/// A schedule longer than <see cref="DeltaDebuggingDecisionsMax"/> (the timely strategy's thousands of steps
/// in the simulator's own order, a data-plane finding's tens of seconds) is not delta-debugged: removing any
/// chunk of in-order events reshuffles everything after it (the guided re-run matches later decisions by
/// signature), so 400 runs of such a schedule were seen to remove nothing. Its faults alone are tried, one
/// at a time, so the trace keeps only the faults the violation needs.
/// </para>
/// </summary>
public sealed class ScheduleShrinker(Explorer explorer, int runsMax = 400)
{
    /// <summary>Decisions at most for delta debugging; a longer schedule has only its faults removed.</summary>
    public const int DeltaDebuggingDecisionsMax = 2_000;

    public ShrinkResult Shrink(ulong seed, IReadOnlyList<ScheduleChoice> decisions, string violationName)
    {
        List<ScheduleChoice> current = decisions.ToList();
        SimulationOutcome outcome = explorer.RunOnce(seed, current).Outcome;
        int runs = 1;
        if (outcome.ViolationName != violationName) throw new InvalidOperationException($"the schedule does not fail with {violationName} when re-run (got {outcome})");
        if (current.Count > DeltaDebuggingDecisionsMax) return ShrinkFaults(seed, current, outcome, violationName, runs);
        int granularity = 2;
        while (current.Count >= 1 && runs < runsMax)
        {
            int chunk = Math.Max(1, current.Count / granularity);
            bool removed = false;
            for (int start = 0; start < current.Count && runs < runsMax; start += chunk)
            {
                List<ScheduleChoice> candidate = [.. current.Take(start), .. current.Skip(start + chunk)];
                SimulationOutcome tried = explorer.RunOnce(seed, candidate).Outcome;
                runs++;
                if (tried.ViolationName != violationName) continue;
                current = candidate;
                outcome = tried;
                removed = true;
                granularity = Math.Max(granularity - 1, 2);
                break;
            }
            if (removed) continue;
            if (chunk == 1) break;
            granularity = Math.Min(current.Count, granularity * 2);
        }
        return new ShrinkResult(current, outcome, runs);
    }

    /// <summary>Removes each fault decision whose removal keeps the violation, latest first (bounded by the faults and <paramref name="runsMax"/>).</summary>
    private ShrinkResult ShrinkFaults(ulong seed, List<ScheduleChoice> current, SimulationOutcome outcome, string violationName, int runs)
    {
        for (int i = current.Count - 1; i >= 0 && runs < runsMax; i--)
        {
            if (current[i].Lane != ScheduleChoice.FaultLane) continue;
            List<ScheduleChoice> candidate = [.. current.Take(i), .. current.Skip(i + 1)];
            SimulationOutcome tried = explorer.RunOnce(seed, candidate).Outcome;
            runs++;
            if (tried.ViolationName != violationName) continue;
            current = candidate;
            outcome = tried;
        }
        return new ShrinkResult(current, outcome, runs);
    }
}
