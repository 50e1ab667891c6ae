namespace Reference.Simulation.Scheduling;

/// <summary>What an enabled choice of an explored run does.</summary>
public enum ChoiceKind : byte
{
    /// <summary>A node (re)starts.</summary>
    Start,
    /// <summary>A node's wake-up time comes due (<c>TimeAdvanced</c>), early or late relative to the messages in flight.</summary>
    Timer,
    /// <summary>A node's fsync completes (one disk's complete in order).</summary>
    Flush,
    /// <summary>A request reaches its server (the head of its connection: TCP keeps the order).</summary>
    Request,
    /// <summary>The server's core takes the next request queued on a connection.</summary>
    ServeNext,
    /// <summary>A response reaches its client (the head of its connection).</summary>
    Response,
    /// <summary>A request fails at its client (refused, or its connection went away).</summary>
    RequestFailure,
    /// <summary>A close (FIN or RST) reaches the other end of a connection.</summary>
    Close,
    /// <summary>A client's request times out.</summary>
    Deadline,
    /// <summary>The workload clients wake up.</summary>
    Workload,
    /// <summary>Fault: a node loses power now (it restarts later, a choice of its own).</summary>
    Crash,
    /// <summary>Fault: the message at the head of a connection is lost (the sender learns by its timeout).</summary>
    Drop,
    /// <summary>Fault: the link between two nodes is cut both ways for the rest of the run (a majority stays connected).</summary>
    Partition,
    /// <summary>Fault: a node loses power and its disk; it restarts later on an empty, re-formatted one (last, so the other kinds' signatures stay as they were).</summary>
    Wipe,
    /// <summary>
    /// Fault: a node's process is killed (SIGKILL, Jepsen's kill -9): it restarts later, a choice of its own, and
    /// unlike a power cut what it wrote survives in the operating system's page cache, flushed or not (last, so
    /// the other kinds' signatures stay as they were).
    /// </summary>
    Kill,
    /// <summary>
    /// Fault: every link between a node and the others is cut both ways, for <see cref="ExplorationControl.IsolationMs"/>
    /// (Jepsen's isolated node): it runs on, alone, until the links heal (last, so the other kinds' signatures stay).
    /// </summary>
    Isolate,
    /// <summary>An isolated node's links heal (not a fault: the isolation's end, due at its time).</summary>
    Heal,
}

/// <summary>
/// One thing that may happen next in an explored run. <see cref="Lane"/> names the actor whose progress it
/// is (the node that receives the input, a client, or the fault injector), which is what PCT gives
/// priorities to. <see cref="Signature"/> describes the choice without times or correlation ids, so the same
/// choice is recognised in another run of the same schedule prefix and across states (DFS's abstraction,
/// the shrinker's decision matching). <see cref="Rank"/>, set when a decision is recorded, counts the
/// enabled choices with the same signature before it (two connections from one node to another, each with
/// a request or a close at its head): with <see cref="TimeMs"/> it lets a replay take the very one.
/// </summary>
public readonly record struct ScheduleChoice(ChoiceKind Kind, int NodeId, int FromId, short ApiKey, long TimeMs, int Rank = 0)
{
    /// <summary>Lanes of workload clients start here; node lanes are the node ids (1..16+7).</summary>
    public const int ClientLaneBase = 64;

    /// <summary>The fault injector's lane.</summary>
    public const int FaultLane = 128;

    public int Lane => Kind is ChoiceKind.Crash or ChoiceKind.Wipe or ChoiceKind.Kill or ChoiceKind.Drop or ChoiceKind.Partition or ChoiceKind.Isolate ? FaultLane : NodeId;

    public ulong Signature
    {
        get
        {
            // SplitMix64's finaliser over the packed fields: stable across runs and builds.
            ulong packed = Packed + 0x9E3779B97F4A7C15UL;
            packed = (packed ^ (packed >> 30)) * 0xBF58476D1CE4E5B9UL;
            packed = (packed ^ (packed >> 27)) * 0x94D049BB133111EBUL;
            return packed ^ (packed >> 31);
        }
    }

    /// <summary>
    /// Whether the two choices have the same <see cref="Signature"/>: the finaliser is a bijection, so equal packed
    /// fields are equal signatures, told without hashing (a recorded decision compares it with every choice before it).
    /// </summary>
    public bool HasSignatureOf(in ScheduleChoice other) => Packed == other.Packed;

    private ulong Packed => (ulong)Kind | (ulong)(uint)NodeId << 8 | (ulong)(uint)FromId << 24 | (ulong)(ushort)ApiKey << 40;

    public override string ToString() => Kind switch
    {
        ChoiceKind.Request or ChoiceKind.Response or ChoiceKind.Drop => $"{Kind.ToString().ToLowerInvariant()} {Endpoint(FromId)}->{Endpoint(NodeId)} api={ApiKey}",
        ChoiceKind.Partition => $"partition {Endpoint(FromId)}<->{Endpoint(NodeId)}",
        _ => $"{Kind.ToString().ToLowerInvariant()} {Endpoint(NodeId)}",
    };

    private static string Endpoint(int id) => id >= ClientLaneBase ? $"c{id - ClientLaneBase}" : $"n{id}";
}

/// <summary>One scheduling step of an explored run: the enabled choices (in a deterministic order) and a digest of everything pending.</summary>
public sealed class ScheduleStep
{
    /// <summary>What a chooser returns to end the chosen part of the run (the fair suffix, if any, follows).</summary>
    public const int EndOfPrefix = -1;

    private readonly List<ScheduleChoice> _choices;
    private readonly Func<ulong> _digestPending;
    private ulong? _pendingDigest;

    internal ScheduleStep(List<ScheduleChoice> choices, Monitors.ClusterView view, Func<ulong> digestPending)
    {
        _choices = choices;
        View = view;
        _digestPending = digestPending;
    }

    /// <summary>The cluster as the last step left it (read only), for strategies that hash states.</summary>
    public Monitors.ClusterView View { get; }

    /// <summary>0 for the run's first choice.</summary>
    public int Index { get; private set; }

    /// <summary>
    /// What may happen next, earliest scheduled time first (ties in scheduling order). A span over the simulator's
    /// own list, valid until the step is taken: every strategy reads it at every step, and a span is read without
    /// an interface call per element.
    /// </summary>
    public ReadOnlySpan<ScheduleChoice> Choices => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_choices);

    /// <summary>
    /// An order-free digest of every pending event's signature (the multiset of messages, timers and flushes in
    /// flight). Worked out when first read in a step: only state hashing reads it (DFS, --count-states), and
    /// summing a signature per pending event was a measurable share of every other campaign's steps.
    /// </summary>
    public ulong PendingDigest => _pendingDigest ??= _digestPending();

    public long NowMs { get; private set; }

    /// <summary>The step after the choices are collected: a new index and time, and no digest worked out yet.</summary>
    internal void Begin(int index, long nowMs)
    {
        Index = index;
        NowMs = nowMs;
        _pendingDigest = null;
    }
}

/// <summary>Picks one of a step's enabled choices; the explorer's strategies implement it.</summary>
public interface IScheduleChooser
{
    /// <summary>The index in <see cref="ScheduleStep.Choices"/> of the choice to take (never called with none), or <see cref="ScheduleStep.EndOfPrefix"/>.</summary>
    int Choose(ScheduleStep step);
}

/// <summary>
/// Hands the simulator's scheduling to a chooser (the explorer): for <see cref="StepsMax"/> steps, every
/// enabled event and every fault the budget still allows is offered to <see cref="Chooser"/>; then, when
/// <see cref="FairSuffixMs"/> is positive, a fair suffix follows (no more faults, the earliest event always
/// next, every crashed node restarting) in which <see cref="Liveness"/> monitors must cool down.
/// <para>
/// Time is asynchronous: taking an event moves the clock to max(now, the event's time). A timer may so fire
/// before messages sent earlier arrive, and a message may arrive "late", after timers set long after it
/// was sent; only each connection's order (TCP), each disk's fsync order and causality are kept.
/// </para>
/// </summary>
public sealed record ExplorationControl
{
    public required IScheduleChooser Chooser { get; init; }

    /// <summary>Scheduling steps at most before the fair suffix (or the end).</summary>
    public int StepsMax { get; init; } = 200;

    /// <summary>Crashes the chooser may inject in one run (the fault budget), within the minority a run may lose.</summary>
    public int CrashesMax { get; init; }

    /// <summary>Messages the chooser may drop in one run (the fault budget).</summary>
    public int DropsMax { get; init; }

    /// <summary>
    /// Links the chooser may cut (the fault budget), each for the rest of the run, so a cut may outlast the
    /// fair suffix's start: liveness is then judged with a majority connected, not the whole cluster. A cut
    /// is offered only while every node still reaches a majority of the voters (itself included) directly.
    /// </summary>
    public int PartitionsMax { get; init; }

    /// <summary>
    /// Crashes after which the node restarts on an empty, re-formatted disk (the fault budget, apart from
    /// <see cref="CrashesMax"/>): offered for a node that may go down and whose disk may be lost, as
    /// <c>restart-empty</c> decides in a simulated run.
    /// </summary>
    public int WipesMax { get; init; }

    /// <summary>
    /// Process kills (the fault budget, apart from <see cref="CrashesMax"/>): the node goes down as by a crash,
    /// within the same minority rule, but keeps every byte it wrote (the page cache survives a killed process).
    /// </summary>
    public int KillsMax { get; init; }

    /// <summary>
    /// Nodes the chooser may isolate (the fault budget): all of a node's links cut for <see cref="IsolationMs"/>,
    /// then healed. Unlike a cut link, an isolation may leave nodes short of a majority, since it heals; it is
    /// offered while fewer than half the voters are isolated, so the rest keep a quorum among themselves.
    /// </summary>
    public int IsolationsMax { get; init; }

    /// <summary>How long an isolation lasts, in virtual time.</summary>
    public long IsolationMs { get; init; } = 15_000;

    /// <summary>Virtual time of the fair suffix; 0 for none (liveness is then not checked).</summary>
    public long FairSuffixMs { get; init; }

    /// <summary>A liveness monitor hot for longer than this at the end of the fair suffix is a violation.</summary>
    public long HotMsMax { get; init; } = 10_000;

    /// <summary>The liveness monitors, fresh for the run.</summary>
    public IReadOnlyList<Monitors.ILivenessMonitor> Liveness { get; init; } = [];
}
