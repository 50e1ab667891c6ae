using Reference.Simulation;
using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Shrinking;

/// <summary>
/// Shrinks a long schedule taken in the simulator's own order (the timely strategy's) as a <see cref="FaultPlan"/>:
/// fewer faults (each removed, latest first, when the violation stays), then earlier faults (each, earliest
/// first, moved by binary search towards the earliest step after its predecessor at which the violation stays;
/// in rounds, since moving one fault changes where the others may go), and a shorter run: a plan runs for as
/// many steps as the best run so far took, so a candidate is kept only when its violation comes no later, and
/// each kept run's decisions (they end at the violation) give the next plan. Every other step is the earliest
/// event, so after a change the rest of the run follows the simulator's order rather than a recorded order that
/// no longer matches it (why delta debugging over such a decision list removes nothing).
/// </summary>
internal sealed class FaultPlanShrinker(Explorer on, ulong seed, string violationName)
{
    /// <summary>A kept run: its decisions (a list <see cref="Strategies.GuidedStrategy"/> replays) and its outcome.</summary>
    public sealed record Kept(List<ScheduleChoice> Decisions, SimulationOutcome Outcome)
    {
        /// <summary>The run's fault plan, read once (the loops consult it at every fault).</summary>
        public FaultPlan Plan { get; } = FaultPlan.Of(Decisions);
    }

    /// <summary>
    /// The shrunk schedule, or null when <paramref name="decisions"/> is not a fault plan's (its plan's run does
    /// not fail the same way: a schedule of another strategy). Spends at most <paramref name="runsEnd"/> − <paramref name="runs"/> runs.
    /// </summary>
    public Kept? Shrink(IReadOnlyList<ScheduleChoice> decisions, ref int runs, int runsEnd)
    {
        if (runs >= runsEnd || Try(FaultPlan.Of(decisions), ref runs) is not Kept best) return null;
        // Bounded by the faults: one run each.
        for (int i = best.Plan.Faults.Count - 1; i >= 0 && runs < runsEnd; i--)
            if (i < best.Plan.Faults.Count && Try(best.Plan.Without(i), ref runs) is Kept fewer) best = fewer;
        // Rounds while one shortens the run, each bounded by the faults and by log2(steps) runs each; and by runsEnd.
        for (int before = int.MaxValue; best.Decisions.Count < before && runs < runsEnd;)
        {
            before = best.Decisions.Count;
            for (int i = 0; i < best.Plan.Faults.Count && runs < runsEnd; i++)
                best = Earliest(best, i, ref runs, runsEnd);
        }
        return best;
    }

    /// <summary>
    /// Binary search for the earliest step of fault <paramref name="index"/>, after the fault before it, at which
    /// the violation stays within the best run's length; of the runs that fail on the way, the one with the fewest
    /// decisions is kept, not the one with the earliest fault (the violation need not come sooner when the fault does).
    /// </summary>
    private Kept Earliest(Kept best, int index, ref int runs, int runsEnd)
    {
        FaultPlan plan = best.Plan;
        int low = index == 0 ? 0 : plan.Faults[index - 1].Step + 1, high = plan.Faults[index].Step;
        // Each run halves [low, high): log2(steps) runs at most.
        while (low < high && runs < runsEnd)
        {
            int middle = low + (high - low) / 2;
            if (Try(plan.Moved(index, middle), ref runs) is Kept earlier && SameFaults(earlier.Plan, plan, index))
            {
                if (earlier.Decisions.Count <= best.Decisions.Count) best = earlier;
                high = middle;
            }
            else low = middle + 1;
        }
        return best;
    }

    /// <summary>Whether a run took every fault of the plan, fault <paramref name="index"/> still in its place among them.</summary>
    private static bool SameFaults(FaultPlan taken, FaultPlan plan, int index) =>
        taken.Faults.Count == plan.Faults.Count && taken.Faults[index].Fault.Signature == plan.Faults[index].Fault.Signature;

    /// <summary>Runs a plan; the run when it fails with the violation, else null.</summary>
    private Kept? Try(FaultPlan plan, ref int runs)
    {
        var recorder = new Explorer.RecordingChooser(new FaultPlanStrategy(plan));
        recorder.Reset(states: null);
        SimulationResult result = on.RunIteration(recorder, seed, trace: null);
        runs++;
        return result.Outcome.ViolationName == violationName ? new Kept(recorder.Decisions.ToList(), result.Outcome) : null;
    }
}
