using FsCheck;
using FsCheck.Fluent;

namespace Reference.Core.Tests.Groups;

/// <summary>
/// Random workloads of joins, syncs, heartbeats, leaves, commits, restarts of static members, closed
/// connections, group deletions, delayed writes and time, checked after every step: generations never go back, a group has
/// one leader and it is a member, a Stable group's members all hold its generation's assignment, no request
/// is answered twice, no deadline is left in the past, and after a quiet period every request has been
/// answered. Both clients' kinds of member id flow (KIP-394 and before) and static members (KIP-345) take part.
/// </summary>
public sealed class GroupProperties
{
    private const int Workloads = 500;

    private static readonly Gen<WorkloadOp[]> Ops =
        from count in Gen.Choose(1, 120)
        from ops in Gen.ArrayOf(
            from kind in WorkloadOp.Kinds
            from client in Gen.Choose(1, 4)
            from arg in Gen.Choose(0, 5)
            select new WorkloadOp(kind, client, arg), count)
        select ops;

    [Fact]
    public void RandomWorkloadsKeepTheGroupInvariants()
    {
        // Kafka's default initial delay, and none at all (a common test setting, where deadlines fall due at once).
        Prop.ForAll(Arb.From(Ops), Arb.From(Gen.Choose(0, int.MaxValue)), Arb.From(Gen.Elements(0, 3_000)), (ops, seed, initialDelayMs) =>
        {
            new GroupWorkload((ulong)seed, initialDelayMs).Run(ops);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Workloads).WithQuietOnSuccess(true));
    }

    [Fact]
    public void TheSameWorkloadAndSeedGiveTheSameTranscript()
    {
        Prop.ForAll(Arb.From(Ops), ops =>
        {
            var first = new GroupWorkload(7);
            var second = new GroupWorkload(7);
            first.Run(ops);
            second.Run(ops);
            Assert.Equal(Encode(first), Encode(second));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true));
    }

    private static List<string> Encode(GroupWorkload workload) =>
        workload.Transcript.Select(response => $"{response.Context.Connection}/{response.Context.CorrelationId}:{Convert.ToHexString(Reference.Protocol.Messages.MessageBytes.Encode(response.Body, response.Context.ApiVersion))}").ToList();
}
