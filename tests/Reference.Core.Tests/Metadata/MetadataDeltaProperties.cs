using FsCheck;
using FsCheck.Fluent;
using Reference.Core.Metadata;
using Reference.Core.Node;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;
using static Reference.Core.Tests.Metadata.MetadataRecordsForTests;

namespace Reference.Core.Tests.Metadata;

/// <summary>
/// Replay does not depend on how the log is cut into batches: a node that applies the committed log in one
/// go and one that applies it a few records at a time (as high watermarks arrive) build the same image.
/// </summary>
public sealed class MetadataDeltaProperties
{
    private const int RecordsPerSequenceMax = 60;

    [Fact]
    public void ApplyingAValidSequenceInOneGoOrInAnySplitGivesTheSameImage()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (sequenceSeed, splitSeed) =>
        {
            IReadOnlyList<IMetadataRecord> records = ValidSequence(new SplitMix64Random((ulong)sequenceSeed), RecordsPerSequenceMax);

            string whole = MetadataImageText.Render(ApplyInChunks(records, new SplitMix64Random(0), wholeLog: true), includeOffset: true);
            string split = MetadataImageText.Render(ApplyInChunks(records, new SplitMix64Random((ulong)splitSeed), wholeLog: false), includeOffset: true);

            Assert.Equal(whole, split);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    private static MetadataImage ApplyInChunks(IReadOnlyList<IMetadataRecord> records, SplitMix64Random random, bool wholeLog)
    {
        MetadataImage image = MetadataImage.Empty;
        int offset = 0;
        while (offset < records.Count)
        {
            int chunk = wholeLog ? records.Count : 1 + random.Next(Math.Min(8, records.Count - offset));
            var delta = new MetadataDelta(image);
            for (int i = offset; i < offset + chunk; i++) Assert.Null(delta.Replay(records[i], i));
            image = delta.Build();
            offset += chunk;
        }
        return image;
    }

    /// <summary>Creates, deletes, partition changes and config changes that are valid where they land.</summary>
    private static IReadOnlyList<IMetadataRecord> ValidSequence(SplitMix64Random random, int countMax)
    {
        var records = new List<IMetadataRecord>();
        var live = new SortedDictionary<string, (Uuid Id, List<int[]> Replicas)>(StringComparer.Ordinal);
        int nextId = 1;
        while (records.Count < countMax)
        {
            switch (random.Next(4))
            {
                case 0:
                    string name = $"t{random.Next(6)}";
                    if (live.ContainsKey(name)) break;
                    Uuid id = Id(nextId++);
                    var replicas = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Replicas(random)).ToList();
                    live[name] = (id, replicas);
                    records.Add(Topic(name, id));
                    for (int p = 0; p < replicas.Count; p++) records.Add(Partition(id, p, replicas[p]));
                    break;
                case 1 when live.Count > 0:
                    string doomed = live.Keys.ElementAt(random.Next(live.Count));
                    records.Add(new RemoveTopicRecord { TopicId = live[doomed].Id });
                    live.Remove(doomed);
                    break;
                case 2 when live.Count > 0:
                    var (topicId, partitions) = live.Values.ElementAt(random.Next(live.Count));
                    int partition = random.Next(partitions.Count);
                    int[] isr = partitions[partition].Where(_ => random.Next(2) == 0).DefaultIfEmpty(partitions[partition][0]).ToArray();
                    int leader = random.Next(3) == 0 ? PartitionRegistration.NoLeaderChange : isr[random.Next(isr.Length)];
                    records.Add(Change(topicId, partition, leader, random.Next(4) == 0 ? null : isr));
                    break;
                case 3 when live.Count > 0:
                    string configured = live.Keys.ElementAt(random.Next(live.Count));
                    records.Add(TopicConfig(configured, random.Next(2) == 0 ? "retention.ms" : "cleanup.policy", random.Next(3) == 0 ? null : $"{random.Next(100)}"));
                    break;
            }
        }
        return records;
    }

    private static int[] Replicas(SplitMix64Random random)
    {
        int[] brokers = [1, 2, 3];
        for (int i = brokers.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (brokers[i], brokers[j]) = (brokers[j], brokers[i]);
        }
        return brokers[..(1 + random.Next(3))];
    }
}
