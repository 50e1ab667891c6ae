using Reference.Simulation;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Shrinking;

/// <summary>
/// What shrinking kept: the smaller decision list, its run's outcome, how many runs it took, and the explorer
/// (so the cluster size) under which the smaller schedule fails: write its trace with that one.
/// </summary>
public sealed record ShrinkResult(IReadOnlyList<ScheduleChoice> Decisions, SimulationOutcome Outcome, int Runs, Explorer Explorer)
{
    public int Voters => Explorer.Options.Voters;
}

/// <summary>
/// Delta debugging (Zeller and Hildebrandt's ddmin) over an iteration's decision list: remove chunks of
/// decisions, halving the chunk size when no removal keeps the failure, until no single decision can go.
/// A candidate "still fails" when its guided re-run (<see cref="Strategies.GuidedStrategy"/>) ends with a
/// violation of the same name; the fair suffix, if the campaign has one, runs after it as before, so a
/// liveness finding shrinks too. Removing a decision removes a fault or a step; later decisions that no
/// longer match an enabled choice are skipped, so every candidate is a real schedule of the real nodes.
/// Then fewer nodes: the short schedule is re-run on each smaller cluster, smallest first, without the
/// decisions that name a node it lacks; the first that still fails is kept and shrunk again by ddmin.
/// Bounded by <paramref name="runsMax"/> re-runs.
/// <para>
/// A schedule longer than <see cref="DeltaDebuggingDecisionsMax"/> (the timely strategy's thousands of steps
/// in the simulator's own order, a data-plane finding's tens of seconds) is not delta-debugged: removing any
/// chunk of in-order events reshuffles everything after it (the guided re-run matches later decisions by
/// signature), so 400 runs of such a schedule were seen to remove nothing. It is shrunk as what it is, the
/// simulator's order with a few faults at given steps (<see cref="FaultPlan"/>): fewer faults, each fault
/// moved earlier by binary search, and the run as long as its earliest violation (<see cref="FaultPlanShrinker"/>);
/// then its faults alone are tried on the decision list, one at a time, so the trace keeps only the faults the
/// violation needs. At most <see cref="LongScheduleRunsMax"/> runs.
/// </para>
/// </summary>
public sealed class ScheduleShrinker(Explorer explorer, int runsMax = 400)
{
    /// <summary>Decisions at most for delta debugging; a longer schedule is shrunk as a fault plan, then its faults removed.</summary>
    public const int DeltaDebuggingDecisionsMax = 2_000;

    /// <summary>
    /// Runs at most for a schedule longer than <see cref="DeltaDebuggingDecisionsMax"/> (within the shrinker's own
    /// budget): a run of a data-plane campaign's schedule is up to some 12,000 steps, 0.1 to 0.3 s on this machine,
    /// so the budget is about 10 to 20 s; two faults' fault-plan search (a removal each, then log2(steps), about 14,
    /// runs per fault and round) fits two rounds in it.
    /// </summary>
    public const int LongScheduleRunsMax = 60;

    public ShrinkResult Shrink(ulong seed, IReadOnlyList<ScheduleChoice> decisions, string violationName)
    {
        List<ScheduleChoice> current = decisions.ToList();
        SimulationOutcome outcome = explorer.RunOnce(seed, current).Outcome;
        int runs = 1;
        if (outcome.ViolationName != violationName) throw new InvalidOperationException($"the schedule does not fail with {violationName} when re-run (got {outcome})");
        (current, outcome) = Minimise(explorer, seed, current, outcome, violationName, ref runs);
        Explorer smallest = explorer;
        // Bounded by the cluster size: one run per smaller voter count, smallest first.
        for (int voters = 1; voters < explorer.Options.Voters && runs < runsMax; voters++)
        {
            Explorer smaller = explorer.With(explorer.Options with { Voters = voters });
            List<ScheduleChoice> kept = current.Where(d => Names(d.NodeId, voters) && Names(d.FromId, voters)).ToList();
            SimulationOutcome tried = smaller.RunOnce(seed, kept).Outcome;
            runs++;
            if (tried.ViolationName != violationName) continue;
            (smallest, current, outcome) = (smaller, kept, tried);
            (current, outcome) = Minimise(smallest, seed, current, outcome, violationName, ref runs);
            break;
        }
        return new ShrinkResult(current, outcome, runs, smallest);
    }

    /// <summary>ddmin over the decisions on one cluster size, until no single decision can go or the run budget is spent.</summary>
    private (List<ScheduleChoice>, SimulationOutcome) Minimise(Explorer on, ulong seed, List<ScheduleChoice> current, SimulationOutcome outcome, string violationName,
        ref int runs)
    {
        if (current.Count > DeltaDebuggingDecisionsMax) return ShrinkLong(on, seed, current, outcome, violationName, ref runs);
        int granularity = 2;
        while (current.Count >= 1 && runs < runsMax)
        {
            int chunk = Math.Max(1, current.Count / granularity);
            bool removed = false;
            for (int start = 0; start < current.Count && runs < runsMax; start += chunk)
            {
                List<ScheduleChoice> candidate = [.. current.Take(start), .. current.Skip(start + chunk)];
                SimulationOutcome tried = on.RunOnce(seed, candidate).Outcome;
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
        return (current, outcome);
    }

    /// <summary>Whether an id a decision names exists in a cluster of <paramref name="voters"/>: a node up to that count, a client, or none (0).</summary>
    private static bool Names(int id, int voters) => id <= voters || id >= ScheduleChoice.ClientLaneBase;

    /// <summary>
    /// A long schedule: shrunk as a fault plan (<see cref="FaultPlanShrinker"/>: fewer faults, faults earlier, a
    /// shorter run) when it is one, then its faults removed one at a time from the decision list, where a fault
    /// whose effect the guided re-run's held-back messages make anyway can go; at most <see cref="LongScheduleRunsMax"/> runs in all.
    /// </summary>
    private (List<ScheduleChoice>, SimulationOutcome) ShrinkLong(Explorer on, ulong seed, List<ScheduleChoice> current, SimulationOutcome outcome, string violationName,
        ref int runs)
    {
        int runsEnd = Math.Min(runsMax, runs + LongScheduleRunsMax);
        // The removal pass keeps one run per fault for itself.
        int planRunsEnd = runsEnd - current.Count(d => d.Lane == ScheduleChoice.FaultLane);
        if (new FaultPlanShrinker(on, seed, violationName).Shrink(current, ref runs, planRunsEnd) is FaultPlanShrinker.Kept planned)
            (current, outcome) = (planned.Decisions, planned.Outcome);
        return ShrinkFaults(on, seed, current, outcome, violationName, ref runs, runsEnd);
    }

    /// <summary>Removes each fault decision whose removal keeps the violation, latest first (bounded by the faults and <paramref name="runsEnd"/>).</summary>
    private static (List<ScheduleChoice>, SimulationOutcome) ShrinkFaults(Explorer on, ulong seed, List<ScheduleChoice> current, SimulationOutcome outcome, string violationName,
        ref int runs, int runsEnd)
    {
        for (int i = current.Count - 1; i >= 0 && runs < runsEnd; i--)
        {
            if (current[i].Lane != ScheduleChoice.FaultLane) continue;
            List<ScheduleChoice> candidate = [.. current.Take(i), .. current.Skip(i + 1)];
            SimulationOutcome tried = on.RunOnce(seed, candidate).Outcome;
            runs++;
            if (tried.ViolationName != violationName) continue;
            current = candidate;
            outcome = tried;
        }
        return (current, outcome);
    }
}
