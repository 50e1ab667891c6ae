using Reference.Simulation.Scheduling;

namespace Reference.Exploration.Strategies;

/// <summary>How a recorded decision is told among a step's enabled choices (replays, the shrinker, a corpus's prefixes).</summary>
public static class DecisionMatch
{
    /// <summary>
    /// The choice with its <see cref="ScheduleChoice.Rank"/> set: how many choices before it share its signature,
    /// which with its time tells it from alike choices (two connections from one node to another, each with a
    /// request or a close at its head).
    /// </summary>
    public static ScheduleChoice Ranked(ReadOnlySpan<ScheduleChoice> choices, int pick)
    {
        int rank = 0;
        for (int i = 0; i < pick; i++)
            if (choices[i].HasSignatureOf(choices[pick])) rank++;
        return choices[pick] with { Rank = rank };
    }

    /// <summary>
    /// The enabled choice <paramref name="decision"/> names, or -1: the one with its signature, time and rank,
    /// so an unchanged schedule replays exactly; else one with its signature and time; else the first with its
    /// signature (a shrunk schedule's times move).
    /// </summary>
    public static int Find(ReadOnlySpan<ScheduleChoice> choices, ScheduleChoice decision)
    {
        int first = -1, atTime = -1, rank = 0;
        for (int i = 0; i < choices.Length; i++)
        {
            if (!choices[i].HasSignatureOf(decision)) continue;
            bool sameTime = choices[i].TimeMs == decision.TimeMs;
            if (sameTime && rank == decision.Rank) return i;
            if (sameTime && atTime < 0) atTime = i;
            if (first < 0) first = i;
            rank++;
        }
        return atTime >= 0 ? atTime : first;
    }

    /// <summary>
    /// The enabled choice with <paramref name="decision"/>'s signature and rank among alike choices, else the first
    /// with its signature, else -1; its time is not compared (a shrinker moves a fault to another step).
    /// </summary>
    public static int FindAnyTime(ReadOnlySpan<ScheduleChoice> choices, ScheduleChoice decision)
    {
        int first = -1, rank = 0;
        for (int i = 0; i < choices.Length; i++)
        {
            if (!choices[i].HasSignatureOf(decision)) continue;
            if (rank++ == decision.Rank) return i;
            if (first < 0) first = i;
        }
        return first;
    }
}
