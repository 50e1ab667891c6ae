using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Raft;

namespace Reference.Core.Tests.Raft;

/// <summary>
/// The replica's request and election bookkeeping is read after every input the node handles, so it is kept
/// in arrays and short sorted lists rather than sorted maps. Each is checked here against a dumb version built
/// on sorted maps and sets (as etcd checks its quorum code against one), over random sequences of operations,
/// ids outside the voter set included: the same answers, in the same order, after every operation.
/// </summary>
public sealed class BookkeepingProperties
{
    private static readonly Gen<(int Op, int Id, int Ms)[]> s_operations =
        Gen.ArrayOf(from op in Gen.Choose(0, 4) from id in Gen.Choose(0, 6) from ms in Gen.Choose(0, 40) select (op, id, ms));

    [Fact]
    public void VoterRequestTrackerAnswersAsADumbVersion()
    {
        // Voters 1-5, this replica 3: ids 0 and 6 are no voters, 3 is never sent a request.
        var voters = new VoterSet(Enumerable.Range(1, 5));
        Prop.ForAll(Arb.From(s_operations), operations =>
        {
            var tracker = new VoterRequestTracker(voters, localId: 3, nowMs: 0);
            var waiting = new SortedDictionary<int, long> { [1] = 0, [2] = 0, [4] = 0, [5] = 0 };
            var inFlight = new SortedSet<int>();
            long nowMs = 0;
            foreach ((int op, int id, int ms) in operations)
            {
                switch (op)
                {
                    case 0 or 1:
                        nowMs += ms;
                        List<int> due = waiting.Where(entry => entry.Value <= nowMs).Select(entry => entry.Key).ToList();
                        foreach (int voter in due)
                        {
                            waiting.Remove(voter);
                            inFlight.Add(voter);
                        }
                        Assert.Equal(due, tracker.TakeDue(nowMs));
                        break;
                    case 2:
                        inFlight.Remove(id);
                        waiting.Remove(id);
                        tracker.Answered(id);
                        break;
                    default:
                        if (inFlight.Remove(id)) waiting[id] = nowMs + ms;
                        tracker.Failed(id, nowMs + ms);
                        break;
                }
                Assert.Equal(waiting.Count == 0 ? long.MaxValue : waiting.Values.Min(), tracker.NextSendAtMs);
                Assert.Equal(waiting.Count == 0 && inFlight.Count == 0, tracker.IsDone);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void PendingRequestsAnswerAsADumbVersion()
    {
        Prop.ForAll(Arb.From(s_operations), operations =>
        {
            var pending = new PendingRequests();
            var dumb = new SortedDictionary<int, PendingRequest>();
            int nextCorrelationId = 100;
            foreach ((int op, int id, int ms) in operations)
            {
                switch (op)
                {
                    case 0:
                        // Mostly the router's next id; now and then a smaller one (its ids wrap around) or a repeat.
                        int correlationId = id == 0 ? ms : id == 1 ? nextCorrelationId - 1 : nextCorrelationId++;
                        var sent = new PendingRequest(correlationId, id % 3, (RaftRequestKind)(ms % 6), DeadlineMs: ms);
                        if (dumb.TryAdd(correlationId, sent)) pending.Add(sent);
                        else Assert.Throws<InvalidOperationException>(() => pending.Add(sent));
                        break;
                    case 1:
                        int asked = nextCorrelationId - 1 - ms % 4;
                        bool expected = dumb.TryGetValue(asked, out PendingRequest known) && known.ToNodeId == id % 3;
                        if (expected) dumb.Remove(asked);
                        Assert.Equal(expected, pending.TryTake(asked, id % 3, out PendingRequest taken));
                        if (expected) Assert.Equal(known, taken);
                        break;
                    case 2:
                        List<PendingRequest> expired = dumb.Values.Where(request => request.DeadlineMs <= ms).ToList();
                        foreach (PendingRequest request in expired) dumb.Remove(request.CorrelationId);
                        Assert.Equal(expired, pending.TakeExpired(ms));
                        break;
                    case 3:
                        Assert.Equal(dumb.Values.Any(request => request.Kind == (RaftRequestKind)(ms % 6)), pending.Any((RaftRequestKind)(ms % 6)));
                        break;
                    default:
                        if (id != 0) break;
                        dumb.Clear();
                        pending.Clear();
                        break;
                }
                Assert.Equal(dumb.Count, pending.Count);
                Assert.Equal(dumb.Count == 0 ? long.MaxValue : dumb.Values.Min(request => request.DeadlineMs), pending.NextDeadlineMs);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void EpochElectionCountsAsADumbVersion()
    {
        // Voters 1-5, this replica 2: ids 0 and 6 are no voters and their answers are refused.
        var voters = new VoterSet(Enumerable.Range(1, 5));
        Prop.ForAll(Arb.From(s_operations), operations =>
        {
            var election = new EpochElection(voters, localId: 2);
            var granted = new SortedSet<int> { 2 };
            var rejected = new SortedSet<int>();
            foreach ((int op, int id, _) in operations)
            {
                bool grant = op % 2 == 0;
                bool counts = voters.Contains(id) && !granted.Contains(id) && !rejected.Contains(id);
                if (counts) (grant ? granted : rejected).Add(id);
                Assert.Equal(counts, election.Record(id, grant));
                Assert.Equal(granted, election.GrantingVoters);
                Assert.Equal(granted.Count >= voters.MajoritySize, election.IsWon);
                Assert.Equal(rejected.Count > voters.Count - voters.MajoritySize, election.IsLost);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
