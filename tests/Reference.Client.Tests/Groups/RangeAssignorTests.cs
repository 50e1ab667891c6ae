using FsCheck;
using FsCheck.Fluent;
using Reference.Client.Groups;

namespace Reference.Client.Tests.Groups;

public sealed class RangeAssignorTests
{
    /// <summary>The example in RangeAssignor.java's documentation: two consumers, two topics of three partitions.</summary>
    [Fact]
    public void TheFirstMembersGetTheExtraPartitionOfEachTopic()
    {
        var assignment = RangeAssignor.Assign(
            new Dictionary<string, IReadOnlyList<string>> { ["C1"] = ["t1", "t0"], ["C0"] = ["t0", "t1"] },
            new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 });
        Assert.Equal(["t0-0", "t0-1", "t1-0", "t1-1"], assignment["C0"].Select(p => p.ToString()));
        Assert.Equal(["t0-2", "t1-2"], assignment["C1"].Select(p => p.ToString()));
    }

    [Fact]
    public void MembersWithoutPartitionsStillAppearWithNone()
    {
        var assignment = RangeAssignor.Assign(
            new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["t"], ["b"] = ["t"], ["c"] = ["unknown"] },
            new Dictionary<string, int> { ["t"] = 1 });
        Assert.Single(assignment["a"]);
        Assert.Empty(assignment["b"]);
        Assert.Empty(assignment["c"]);
    }

    [Fact]
    public void EveryPartitionGoesToExactlyOneSubscribedMember() =>
        Prop.ForAll<PositiveInt, PositiveInt, PositiveInt>((members, topics, partitions) =>
        {
            int memberCount = Math.Min(members.Get, 12), topicCount = Math.Min(topics.Get, 5), partitionCount = Math.Min(partitions.Get, 40);
            var subscriptions = Enumerable.Range(0, memberCount).ToDictionary(
                m => $"member-{m}",
                m => (IReadOnlyList<string>)Enumerable.Range(0, topicCount).Where(t => (m + t) % 3 != 0 || t == 0).Select(t => $"t{t}").ToList());
            var counts = Enumerable.Range(0, topicCount).ToDictionary(t => $"t{t}", t => partitionCount + t);
            var assignment = RangeAssignor.Assign(subscriptions, counts);
            var assigned = assignment.SelectMany(a => a.Value.Select(p => (Member: a.Key, Partition: p))).ToList();
            bool eachOnce = assigned.Select(a => a.Partition).Distinct().Count() == assigned.Count;
            bool subscribedOnly = assigned.All(a => subscriptions[a.Member].Contains(a.Partition.Topic));
            int expected = counts.Where(c => subscriptions.Values.Any(s => s.Contains(c.Key))).Sum(c => c.Value);
            return eachOnce && subscribedOnly && assigned.Count == expected;
        }).QuickCheckThrowOnFailure();
}
