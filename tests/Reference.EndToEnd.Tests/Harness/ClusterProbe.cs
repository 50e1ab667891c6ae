using System.Diagnostics;
using System.Text;
using Reference.Client;
using Reference.Client.Admin;
using Reference.Client.Consumer;
using Reference.Client.Errors;
using Reference.Client.Metadata;
using Reference.Client.Network;
using Reference.Client.Producer;
using Reference.Client.Records;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>A record as read back, with its key and value as text (every test writes UTF-8 text).</summary>
public sealed record StoredRecord(int Partition, long Offset, string? Key, string? Value);

/// <summary>
/// The project's own client (Reference.Client), used to set topics up and to read back what the real
/// clients did: topic contents, end offsets and committed offsets. Each call opens its own connection, so
/// a probe stays usable across broker restarts. Right after a (re)start a broker may answer with
/// retriable errors (leaders not yet known, the group coordinator still loading); those are retried
/// within <see cref="RetryWindow"/>, anything else fails at once.
/// </summary>
public sealed class ClusterProbe(string bootstrapServer)
{
    public static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(30);

    /// <summary>How long reading a topic to its end may take; the largest topic in the suite is a few MB.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(200);

    /// <summary>Creates a topic with replication factor 1 and waits until every partition has a leader.</summary>
    public async Task CreateTopicAsync(string topic, int partitions, IReadOnlyDictionary<string, string>? configs = null)
    {
        await WithClusterAsync(async cluster =>
        {
            var newTopic = new NewTopic(topic, partitions, 1) { Configs = configs ?? new Dictionary<string, string>() };
            return await new AdminClient(cluster).CreateTopicAsync(newTopic);
        });
        await WaitForLeadersAsync(topic, partitions);
    }

    /// <summary>Waits until metadata shows the topic with this many partitions, each with a leader.</summary>
    public async Task WaitForLeadersAsync(string topic, int partitions) =>
        await RetryingAsync($"leaders for the {partitions} partitions of '{topic}'", () => WithClusterAsync(async cluster =>
        {
            TopicMetadata? described = (await new AdminClient(cluster).DescribeTopicsAsync([topic])).SingleOrDefault();
            bool ready = described is { Error: ErrorCode.None }
                && described.Partitions.Count == partitions
                && described.Partitions.All(p => p.HasLeader && p.Error == ErrorCode.None);
            return ready ? true : throw new KafkaApiException(ErrorCode.LeaderNotAvailable, $"'{topic}' is not fully led yet: {Describe(described)}");
        }));

    /// <summary>One look at a partition's leader, replicas and ISR as this probe's broker describes it; null while it cannot say.</summary>
    public async Task<PartitionMetadata?> DescribePartitionAsync(string topic, int partition)
    {
        try
        {
            TopicMetadata? described = await WithClusterAsync(async cluster => (await new AdminClient(cluster).DescribeTopicsAsync([topic])).SingleOrDefault());
            return described?.Partitions.FirstOrDefault(p => p.Partition == partition);
        }
        catch (Exception error) when (IsTransient(error))
        {
            return null;
        }
    }

    /// <summary>The log end offset of each partition of the topic.</summary>
    public Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic) =>
        RetryingAsync($"the end offsets of '{topic}'", () => WithClusterAsync(async cluster =>
        {
            var admin = new AdminClient(cluster);
            IReadOnlyList<TopicPartition> partitions = await PartitionsAsync(admin, topic);
            IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(partitions, OffsetSpec.Latest);
            return (IReadOnlyDictionary<int, long>)ends.ToDictionary(e => e.Key.Partition, e => e.Value);
        }));

    /// <summary>The group's committed offset of each partition of the topic that has one.</summary>
    public Task<IReadOnlyDictionary<int, long>> CommittedOffsetsAsync(string group, string topic) =>
        RetryingAsync($"the offsets group '{group}' committed", () => WithClusterAsync(async cluster =>
        {
            IReadOnlyDictionary<TopicPartition, long> committed = await new AdminClient(cluster).FetchCommittedOffsetsAsync(group, null);
            return (IReadOnlyDictionary<int, long>)committed.Where(c => c.Key.Topic == topic).ToDictionary(c => c.Key.Partition, c => c.Value);
        }));

    /// <summary>Polls until the group's committed offsets equal <paramref name="expected"/>; throws with the last seen ones after <see cref="RetryWindow"/>.</summary>
    public async Task WaitForCommittedAsync(string group, string topic, IReadOnlyDictionary<int, long> expected)
    {
        IReadOnlyDictionary<int, long> committed = new Dictionary<int, long>();
        await Poll.UntilAsync(
            async () => SameOffsets(committed = await CommittedOffsetsAsync(group, topic), expected),
            RetryWindow,
            () => $"group '{group}' to commit {Show(expected)} on '{topic}'; it has {Show(committed)}");
    }

    /// <summary>Every record of the topic, from the earliest offset to the end offsets as they are when the call starts, in partition then offset order.</summary>
    public async Task<IReadOnlyList<StoredRecord>> ReadAllAsync(string topic)
    {
        IReadOnlyDictionary<int, long> ends = await EndOffsetsAsync(topic);
        await using var cluster = new ClusterClient(Options());
        var partitions = ends.Keys.Order().Select(p => new TopicPartition(topic, p)).ToList();
        var consumer = new KafkaConsumer(cluster, new ConsumerOptions { AutoOffsetReset = OffsetReset.Earliest, FetchMaxWaitMs = 100 });
        consumer.Assign(partitions);
        await consumer.SeekAsync(partitions, OffsetSpec.Earliest, CancellationToken.None);
        var records = new List<StoredRecord>();
        var waited = Stopwatch.StartNew();
        while (partitions.Any(p => consumer.Position(p) < ends[p.Partition]))
        {
            if (waited.Elapsed > ReadTimeout)
            {
                string positions = string.Join(", ", partitions.Select(p => $"{p.Partition}: at {consumer.Position(p)} of {ends[p.Partition]}"));
                throw new TimeoutException($"Reading '{topic}' to its end took over {ReadTimeout.TotalSeconds:0} s ({positions}).");
            }
            foreach (ConsumerRecord record in await consumer.PollAsync(CancellationToken.None))
            {
                if (record.Offset < ends[record.Partition]) records.Add(new StoredRecord(record.Partition, record.Offset, Text(record.Key), Text(record.Value)));
            }
        }
        return records.OrderBy(r => r.Partition).ThenBy(r => r.Offset).ToList();
    }

    /// <summary>Produces keyed text records with the project's producer and returns where each was written.</summary>
    public Task<IReadOnlyList<RecordMetadata>> ProduceAsync(string topic, IEnumerable<(string Key, string Value)> records, int? partition = null) =>
        WithClusterAsync(async cluster =>
        {
            await using var producer = new KafkaProducer(cluster, new ProducerOptions { Acks = Acks.All });
            var sends = records
                .Select(r => producer.SendAsync(new ProducerRecord(topic, Encoding.UTF8.GetBytes(r.Key), Encoding.UTF8.GetBytes(r.Value)) { Partition = partition }))
                .ToList();
            await producer.FlushAsync();
            return (IReadOnlyList<RecordMetadata>)await Task.WhenAll(sends);
        });

    public static string Show(IReadOnlyDictionary<int, long> offsets) =>
        "{" + string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")) + "}";

    private static bool SameOffsets(IReadOnlyDictionary<int, long> left, IReadOnlyDictionary<int, long> right) =>
        left.Count == right.Count && left.All(l => right.TryGetValue(l.Key, out long r) && r == l.Value);

    private static async Task<IReadOnlyList<TopicPartition>> PartitionsAsync(AdminClient admin, string topic)
    {
        TopicMetadata described = (await admin.DescribeTopicsAsync([topic])).SingleOrDefault()
            ?? throw new KafkaApiException(ErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' is not in metadata.");
        if (described.Error != ErrorCode.None) throw KafkaApiException.From(described.Error, $"Describing '{topic}' failed");
        return described.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
    }

    private ClientOptions Options() => new()
    {
        BootstrapServers = BrokerEndpoint.ParseList(bootstrapServer),
        ClientId = "e2e-probe",
        ConnectTimeoutMs = 5_000,
        RequestTimeoutMs = 15_000,
    };

    private async Task<T> WithClusterAsync<T>(Func<ClusterClient, Task<T>> action)
    {
        await using var cluster = new ClusterClient(Options());
        return await action(cluster);
    }

    /// <summary>Retries <paramref name="action"/> on retriable broker errors and lost connections until <see cref="RetryWindow"/> is used up.</summary>
    private static async Task<T> RetryingAsync<T>(string what, Func<Task<T>> action)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception error) when (IsTransient(error) && waited.Elapsed < RetryWindow)
            {
                await Task.Delay(RetryBackoff);
            }
            catch (Exception error) when (IsTransient(error))
            {
                throw new TimeoutException($"Gave up on {what} after {RetryWindow.TotalSeconds:0} s: {error.Message}", error);
            }
        }
    }

    private static bool IsTransient(Exception error) =>
        error is KafkaApiException { IsRetriable: true } or KafkaConnectionException or KafkaTimeoutException;

    private static string Describe(TopicMetadata? topic) =>
        topic is null
            ? "not in metadata"
            : $"error {topic.Error}, partitions [{string.Join(", ", topic.Partitions.Select(p => $"{p.Partition}: leader {p.LeaderId} {p.Error}"))}]";

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
