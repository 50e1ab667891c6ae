using Reference.Core.Raft;
using Reference.Simulation.Monitors;

namespace Reference.Spec.Raft;

/// <summary>
/// KIP-996's promise, as a property of the cluster: a leader that a majority of voters know to be alive is
/// not unseated. A voter that cannot reach the leader may ask for pre-votes, but a follower that has
/// fetched from its leader within fetch.timeout.ms refuses them, and the leader refuses them, so while the
/// leader and such followers make a majority no pre-vote round can be won and no voter starts a new epoch.
/// Without the followers' check (KAFKA-17641's work, the museum's <c>pre-vote-without-fetch-check</c>) a
/// voter merely cut off from the leader wins its pre-vote and then the election: a needless disruption.
/// <para>
/// Judged when a voter that was Prospective in epoch E (in one run of its process) stands, Candidate or
/// Leader, in a later epoch, against the cluster as the previous event left it: if a running voter led E
/// then, and it together with the voters that vouched for it made a majority, the win is a violation. A
/// voter vouches for the leader while it follows it in E, has fetched from it since it began following
/// (the leader has not resigned), and its fetch timeout lies ahead (<see cref="ReplicaReading.LeaderAliveUntilMs"/>).
/// Only vouching (and leading) that began before the prospective's pre-vote round counts: a grant given
/// earlier, by a voter that did not yet know the leader, may still be in flight and be counted legitimately.
/// A voter on a replaced disk (KIP-853) does not vote and does not count.
/// </para>
/// <para>Memory: per node, the observation its current vouching, leading or prospective stretch began at.</para>
/// </summary>
public sealed class LeaderNotDisrupted : RaftMonitor
{
    /// <summary>A stretch of one state: the process run, epoch and leader it is about, and the observation it began at.</summary>
    private readonly record struct Stretch(int Incarnation, int Epoch, int Leader, long Since);

    /// <summary>A prospective's round that could not be won without a needless disruption, as the last observation left it.</summary>
    private readonly record struct Shield(int Incarnation, int Epoch, int Leader, string Vouchers);

    private readonly NodeTable<Stretch> _vouching = new();
    private readonly NodeTable<Stretch> _leading = new();
    private readonly NodeTable<Stretch> _prospective = new();
    private readonly NodeTable<Shield> _shields = new();
    private readonly JudgedReadings _judged = new();
    private long _observations;

    /// <summary>The majority the shields were raised against; -1 before any were.</summary>
    private int _shieldsMajority = -1;

    public override string Name => "LeaderNotDisrupted";

    public override MonitorViolation? Check(RaftObservation observation, Coverage coverage)
    {
        _observations++;
        // Most observations find no shield up (no prospective voter facing a live majority): nothing to judge.
        MonitorViolation? violation = _shields.Count == 0 ? null : Unseated(observation);
        Track(observation);
        return violation;
    }

    /// <summary>The first voter, in the observation's order, that stood although its shield was up at the last observation.</summary>
    private MonitorViolation? Unseated(RaftObservation observation)
    {
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            if (node.Replica is not ReplicaReading replica || !_shields.TryGetValue(node.NodeId, out Shield shield)) continue;
            if (shield.Incarnation != node.Incarnation || replica.Epoch <= shield.Epoch) continue;
            if (replica.State is not (QuorumStateKind.Candidate or QuorumStateKind.Leader)) continue;
            return Violation($"node {node.NodeId} went from Prospective in epoch {shield.Epoch} to {replica.State} in epoch {replica.Epoch} while node " +
                $"{shield.Leader} led epoch {shield.Epoch} and voters {shield.Vouchers} had fetched from it within fetch.timeout.ms since before node " +
                $"{node.NodeId} asked for pre-votes: a majority knew the leader alive, and it was unseated (KIP-996)");
        }
        return null;
    }

    /// <summary>
    /// Brings each voter's stretches up to this observation, then raises the shields again if any stretch
    /// changed. A voter whose reading was judged already (<see cref="JudgedReadings"/>) keeps its stretches
    /// unless the clock ended its vouching: its leading and asking depend on the reading alone, its vouching on
    /// the clock too. The shields depend on nothing but the stretches and the majority.
    /// </summary>
    private void Track(RaftObservation observation)
    {
        bool changed = false;
        foreach (RaftNodeReading node in observation.NodeSpan)
        {
            // The replica is read once: its reading is a large struct, and this runs for every node after every event.
            if (!node.IsVoter || node.IsVoterDiskReplaced || node.Replica is not ReplicaReading replica)
            {
                changed |= _vouching.Remove(node.NodeId) | _leading.Remove(node.NodeId) | _prospective.Remove(node.NodeId);
                continue;
            }
            bool vouches = replica is { State: QuorumStateKind.Follower, LeaderId: int, LeaderAliveUntilMs: long until } && until > observation.NowMs;
            if (_judged.AlreadyJudged(node) && vouches == _vouching.TryGetValue(node.NodeId, out _)) continue;
            // `|`, not `||`: every table is kept up to date.
            changed |= Keep(_vouching, node, replica.Epoch, vouches ? replica.LeaderId : null)
                | Keep(_leading, node, replica.Epoch, replica.State == QuorumStateKind.Leader ? node.NodeId : null)
                | Keep(_prospective, node, replica.Epoch, replica.State == QuorumStateKind.Prospective ? 0 : null);
            _judged.Judged(node);
        }
        int majority = observation.MajoritySize;
        if (!changed && majority == _shieldsMajority) return;
        _shieldsMajority = majority;
        _shields.Clear();
        for (int candidate = 0; candidate < _prospective.IdLimit; candidate++)
        {
            if (!_prospective.TryGetValue(candidate, out Stretch asking)) continue;
            (int leader, Stretch leading) = LeaderOf(asking.Epoch);
            if (leading == default || leading.Since >= asking.Since) continue;
            // Counted before the vouchers are listed: this runs after every event, and a shield is rare.
            if (1 + Vouchers(asking, leader, null) < majority) continue;
            var ids = new List<int>();
            Vouchers(asking, leader, ids);
            _shields.Set(candidate, new Shield(asking.Incarnation, asking.Epoch, leader, string.Join(",", ids)));
        }
    }

    /// <summary>The lowest-numbered node's stretch leading <paramref name="epoch"/> (default when none): two at once would break SingleLeaderPerEpoch.</summary>
    private (int Leader, Stretch Leading) LeaderOf(int epoch)
    {
        for (int leader = 0; leader < _leading.IdLimit; leader++)
            if (_leading.TryGetValue(leader, out Stretch leading) && leading.Epoch == epoch) return (leader, leading);
        return default;
    }

    /// <summary>Counts the voters vouching for <paramref name="leader"/> since before <paramref name="asking"/> began, adding their ids in order to <paramref name="ids"/> when given.</summary>
    private int Vouchers(Stretch asking, int leader, List<int>? ids)
    {
        int count = 0;
        for (int voter = 0; voter < _vouching.IdLimit; voter++)
        {
            if (!_vouching.TryGetValue(voter, out Stretch vouching) || !Vouches(vouching, asking, leader)) continue;
            count++;
            ids?.Add(voter);
        }
        return count;
    }

    private static bool Vouches(Stretch vouching, Stretch asking, int leader) =>
        vouching.Epoch == asking.Epoch && vouching.Leader == leader && vouching.Since < asking.Since;

    /// <summary>
    /// Continues a node's stretch while it stays in the same run, epoch and leader; starts one at this observation
    /// otherwise; ends it when <paramref name="leader"/> is null. Whether the table changed.
    /// </summary>
    private bool Keep(NodeTable<Stretch> stretches, RaftNodeReading node, int epoch, int? leader)
    {
        if (leader is not int about) return stretches.Remove(node.NodeId);
        if (stretches.TryGetValue(node.NodeId, out Stretch held) && held.Incarnation == node.Incarnation && held.Epoch == epoch && held.Leader == about) return false;
        stretches.Set(node.NodeId, new Stretch(node.Incarnation, epoch, about, _observations));
        return true;
    }
}
