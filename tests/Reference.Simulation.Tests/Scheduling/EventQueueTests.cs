using FsCheck;
using FsCheck.Fluent;
using Reference.Simulation.Scheduling;

namespace Reference.Simulation.Tests.Scheduling;

public sealed class EventQueueTests
{
    [Fact]
    public void EventsAtTheSameTimeFireInTheOrderTheyWereScheduled()
    {
        var queue = new EventQueue<string>(100);
        queue.Schedule(5, 0, "first at 5");
        queue.Schedule(3, 0, "at 3");
        queue.Schedule(5, 0, "second at 5");
        queue.Schedule(5, 0, "third at 5");
        var order = new List<string>();
        while (queue.TryTake(out string next, out _)) order.Add(next);
        Assert.Equal(["at 3", "first at 5", "second at 5", "third at 5"], order);
    }

    [Fact]
    public void TakenEventsAreOrderedByTimeThenSchedulingOrder()
    {
        Prop.ForAll(Gen.Choose(0, 20).ArrayOf().ToArbitrary(), times =>
        {
            var queue = new EventQueue<int>(1_000);
            for (int i = 0; i < times.Length; i++) queue.Schedule(times[i], 0, i);
            var taken = new List<(long Time, int Index)>();
            while (queue.TryTake(out int index, out EventKey key)) taken.Add((key.TimeMs, index));
            var expected = times.Select((time, index) => ((long)time, index)).OrderBy(e => e.Item1).ThenBy(e => e.index).ToList();
            return taken.SequenceEqual(expected);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void AFullQueueIsAFindingNotAHang()
    {
        var queue = new EventQueue<int>(2);
        queue.Schedule(1, 0, 1);
        queue.Schedule(1, 0, 2);
        Assert.Throws<EventQueueFullException>(() => queue.Schedule(1, 0, 3));
    }

    [Fact]
    public void AnEventInThePastIsRefused()
    {
        var queue = new EventQueue<int>(2);
        Assert.Throws<InvalidOperationException>(() => queue.Schedule(4, 5, 1));
    }
}
