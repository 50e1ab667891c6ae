using Reference.Protocol.Primitives;

namespace Reference.Core.Node;

/// <summary>An endpoint a node advertises: a listener name (PLAINTEXT, CONTROLLER) with host and port.</summary>
public sealed record Endpoint(string ListenerName, string Host, int Port)
{
    public override string ToString() => $"{ListenerName}://{Host}:{Port}";
}

/// <summary>
/// A static KRaft voter from <c>controller.quorum.voters</c> (<c>id@host:port</c>). KIP-853 names a voter by
/// its node id and the directory id of its metadata log directory (a <i>replica key</i>); when
/// <paramref name="DirectoryId"/> is known, only a replica whose storage carries that directory id is this
/// voter. A voter whose disk was replaced or re-formatted gets a new directory id, so it no longer passes for
/// the voter whose acknowledged entries and votes that disk held (see <see cref="Raft.VoterSet"/>). Kafka's
/// <c>controller.quorum.voters</c> has no directory ids (its <c>--initial-controllers id@host:port:dirid</c>
/// format option does): without one the check cannot apply, and the id alone names the voter.
/// </summary>
public sealed record VoterAddress(int NodeId, string Host, int Port, Uuid? DirectoryId = null);

/// <summary>
/// The settings the core acts on, with Kafka's defaults. The broker builds it from server.properties;
/// the simulator builds it directly. Names follow Kafka's keys; each comment says why the setting exists
/// and what goes wrong when it is set badly.
/// </summary>
public sealed record NodeConfig
{
    /// <summary><c>node.id</c>: this node's id, unique in the cluster; voters are named by it.</summary>
    public required int NodeId { get; init; }

    /// <summary>The cluster id written by <c>storage format</c>; a peer with another id is refused.</summary>
    public required string ClusterId { get; init; }

    /// <summary><c>process.roles</c> includes broker: this node serves clients and hosts partitions.</summary>
    public bool IsBroker { get; init; } = true;

    /// <summary><c>process.roles</c> includes controller: this node is a KRaft voter and may lead the quorum.</summary>
    public bool IsController { get; init; } = true;

    /// <summary><c>controller.quorum.voters</c>: the static voter set. A majority must be up to elect or commit.</summary>
    public required IReadOnlyList<VoterAddress> Voters { get; init; }

    /// <summary>
    /// <c>advertised.listeners</c> minus the controller listener: what clients are told to connect to in
    /// Metadata and FindCoordinator answers. Advertising an address clients cannot reach breaks them after bootstrap.
    /// </summary>
    public required IReadOnlyList<Endpoint> AdvertisedBrokerEndpoints { get; init; }

    /// <summary><c>num.partitions</c>: partitions of an auto-created topic, or a created one that names none.</summary>
    public int NumPartitions { get; init; } = 1;

    /// <summary><c>default.replication.factor</c>: replicas of a topic that names none.</summary>
    public short DefaultReplicationFactor { get; init; } = 1;

    /// <summary>
    /// <c>min.insync.replicas</c>: with acks=all, a write is refused (NOT_ENOUGH_REPLICAS) when fewer replicas
    /// are in sync. It is what makes acks=all mean "survives the loss of N-1 brokers".
    /// </summary>
    public int MinInsyncReplicas { get; init; } = 1;

    /// <summary><c>auto.create.topics.enable</c>: Metadata and Produce for an unknown topic create it.</summary>
    public bool AutoCreateTopicsEnable { get; init; } = true;

    /// <summary><c>message.max.bytes</c>: the largest batch a producer may send (MESSAGE_TOO_LARGE above it).</summary>
    public int MessageMaxBytes { get; init; } = 1_048_588;

    /// <summary><c>log.segment.bytes</c>: a segment is rolled at this size; retention deletes whole segments.</summary>
    public long LogSegmentBytes { get; init; } = 1L << 30;

    /// <summary><c>log.roll.ms</c>: a segment is also rolled at this age, so time retention can reach it.</summary>
    public long LogRollMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>log.retention.ms</c> (or .minutes/.hours): segments whose newest record is older are deleted; -1 keeps forever.</summary>
    public long LogRetentionMs { get; init; } = 168L * 60 * 60 * 1000;

    /// <summary><c>log.retention.bytes</c>: per partition; oldest segments go first; -1 means no size limit.</summary>
    public long LogRetentionBytes { get; init; } = -1;

    /// <summary><c>log.retention.check.interval.ms</c>: how often retention runs.</summary>
    public long LogRetentionCheckIntervalMs { get; init; } = 300_000;

    /// <summary>
    /// <c>log.flush.interval.messages</c> = 1 in Kafka's terms: acknowledge a produce only once its batches are
    /// fsynced (with group commit). Off by default, as in Kafka, which relies on replication instead.
    /// </summary>
    public bool FlushBeforeAcknowledge { get; init; }

    /// <summary><c>replica.lag.time.max.ms</c>: a follower that has not caught up for this long leaves the ISR.</summary>
    public long ReplicaLagTimeMaxMs { get; init; } = 30_000;

    /// <summary>
    /// <c>replica.fetch.max.bytes</c>: a follower asks for at most this much per partition in one fetch (the
    /// first batch comes whole even when larger, KIP-74, so a follower never sticks behind a big batch).
    /// </summary>
    public int ReplicaFetchMaxBytes { get; init; } = 1_048_576;

    /// <summary><c>replica.fetch.response.max.bytes</c>: the byte budget of one follower fetch across all its partitions.</summary>
    public int ReplicaFetchResponseMaxBytes { get; init; } = 10_485_760;

    /// <summary>
    /// <c>replica.fetch.wait.max.ms</c>: how long a leader may park a follower's fetch waiting for data. Keep it
    /// below replica.lag.time.max.ms and the peer request timeout, or a quiet follower looks lagging or lost.
    /// </summary>
    public int ReplicaFetchWaitMaxMs { get; init; } = 500;

    /// <summary><c>replica.fetch.min.bytes</c>: a leader answers a follower's fetch early once it has this much.</summary>
    public int ReplicaFetchMinBytes { get; init; } = 1;

    /// <summary>
    /// <c>replica.fetch.backoff.ms</c>: the pause after a follower fetch fails, or a partition in it does, before
    /// asking that leader (or for that partition) again, so a down or confused leader is not asked in a tight loop.
    /// </summary>
    public int ReplicaFetchBackoffMs { get; init; } = 1000;

    /// <summary><c>offsets.topic.num.partitions</c>: partitions of __consumer_offsets; fixed once the topic exists.</summary>
    public int OffsetsTopicNumPartitions { get; init; } = 50;

    /// <summary><c>offsets.topic.replication.factor</c>: Kafka's default is 3, which a single node cannot satisfy; the quickstart sets 1.</summary>
    public short OffsetsTopicReplicationFactor { get; init; } = 3;

    /// <summary><c>offsets.retention.minutes</c>: committed offsets of an empty group expire after this.</summary>
    public long OffsetsRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>group.initial.rebalance.delay.ms</c>: the first rebalance of an empty group waits this long for more members.</summary>
    public int GroupInitialRebalanceDelayMs { get; init; } = 3000;

    /// <summary><c>group.min.session.timeout.ms</c>: a JoinGroup asking for less gets INVALID_SESSION_TIMEOUT.</summary>
    public int GroupMinSessionTimeoutMs { get; init; } = 6000;

    /// <summary><c>group.max.session.timeout.ms</c>: a JoinGroup asking for more gets INVALID_SESSION_TIMEOUT.</summary>
    public int GroupMaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary><c>controller.quorum.election.timeout.ms</c>: a voter that hears no leader for this long (plus jitter) stands.</summary>
    public int QuorumElectionTimeoutMs { get; init; } = 1000;

    /// <summary><c>controller.quorum.fetch.timeout.ms</c>: a follower that cannot fetch for this long looks for a new leader; a leader not fetched from by a majority resigns.</summary>
    public int QuorumFetchTimeoutMs { get; init; } = 2000;

    /// <summary><c>controller.quorum.request.timeout.ms</c>: a Raft request unanswered this long is retried.</summary>
    public int QuorumRequestTimeoutMs { get; init; } = 2000;

    /// <summary><c>controller.quorum.retry.backoff.ms</c>: the pause before retrying a failed Raft request.</summary>
    public int QuorumRetryBackoffMs { get; init; } = 20;

    /// <summary><c>controller.quorum.append.linger.ms</c>: how long the leader gathers records into one batch.</summary>
    public int QuorumAppendLingerMs { get; init; } = 25;

    /// <summary><c>metadata.max.idle.interval.ms</c>: the active controller writes a NoOp record this often, so followers see the high watermark move.</summary>
    public int MetadataMaxIdleIntervalMs { get; init; } = 500;

    /// <summary>
    /// <c>metadata.log.max.record.bytes.between.snapshots</c> (Kafka's default 20 MiB): once this many bytes of
    /// committed metadata batches were applied since the last snapshot, the node writes a snapshot of its image
    /// (KIP-630). Small values make snapshots happen in simulations; too small costs a snapshot per batch.
    /// </summary>
    public long MetadataSnapshotMaxNewRecordBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>
    /// <c>metadata.log.max.snapshot.interval.ms</c> (Kafka's default one hour): a snapshot is written at least
    /// this often while new records are committed, however few bytes they are; 0 turns the timer off.
    /// </summary>
    public long MetadataSnapshotMaxIntervalMs { get; init; } = 60L * 60 * 1000;

    /// <summary>
    /// <c>metadata.max.retention.bytes</c> (Kafka's default 100 MiB): the metadata log below the latest durable
    /// snapshot is deleted (its log start offset moves up to the snapshot) once the log is larger than this;
    /// -1 keeps it by size. Followers that fall behind the log start then fetch the snapshot (FetchSnapshot).
    /// </summary>
    public long MetadataMaxRetentionBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>
    /// <c>metadata.max.retention.ms</c> (Kafka's default 7 days): the metadata log below the latest durable
    /// snapshot is also deleted once its oldest segment holds only records older than this; -1 keeps it by age.
    /// </summary>
    public long MetadataMaxRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>broker.heartbeat.interval.ms</c>: how often a broker heartbeats the active controller.</summary>
    public int BrokerHeartbeatIntervalMs { get; init; } = 2000;

    /// <summary><c>broker.session.timeout.ms</c>: a broker silent this long is fenced and loses its leaderships.</summary>
    public int BrokerSessionTimeoutMs { get; init; } = 9000;

    /// <summary>
    /// Historical flaws switched back on, for the mutation check and the explorer's museum only
    /// (<see cref="Node.ReintroducedBugs"/>); <see cref="ReintroducedBugs.None"/> everywhere else.
    /// </summary>
    public ReintroducedBugs ReintroducedBugs { get; init; } = ReintroducedBugs.None;

    /// <summary>
    /// <c>inter.broker.listener.name</c>: the listener whose registered endpoint other brokers' replica fetchers
    /// connect to (Kafka's ReplicaFetcherThread reaches a leader the same way). A name the leader did not
    /// register leaves its followers unable to fetch, so the broker refuses a name that is not in listeners.
    /// </summary>
    public string InterBrokerListenerName { get; init; } = "PLAINTEXT";
}
