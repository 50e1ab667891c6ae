using System.Text;

namespace Reference.Core.Metadata;

/// <summary>
/// A canonical, line-per-fact rendering of an image: two images render alike exactly when their content is
/// alike (the offset aside, unless asked for). For golden transcripts, for the simulator's monitors that
/// compare nodes' images, and for tests.
/// </summary>
public static class MetadataImageText
{
    public static string Render(MetadataImage image, bool includeOffset = false)
    {
        var text = new StringBuilder();
        if (includeOffset) text.Append("offset ").Append(image.Offset).Append('\n');
        foreach (var (name, level) in image.Features) text.Append($"feature {name}={level}\n");
        foreach (BrokerRegistration b in image.Brokers.Values) AppendBroker(text, b);
        foreach (TopicImage topic in image.Topics.Values)
        {
            text.Append($"topic {topic.Name} id={topic.TopicId}\n");
            foreach (var (index, p) in topic.Partitions)
            {
                text.Append($"  partition {index} replicas={Ids(p.Replicas)} isr={Ids(p.Isr)} leader={p.Leader} ")
                    .Append($"leaderEpoch={p.LeaderEpoch} partitionEpoch={p.PartitionEpoch} recovery={p.LeaderRecoveryState}")
                    .Append($" removing={Ids(p.RemovingReplicas)} adding={Ids(p.AddingReplicas)} elr={Ids(p.EligibleLeaderReplicas)} lastKnownElr={Ids(p.LastKnownElr)}\n");
            }
        }
        foreach (var (resource, entries) in image.Configs)
        {
            foreach (var (key, value) in entries) text.Append($"config {resource.Type}:{resource.Name} {key}={value}\n");
        }
        text.Append("nextProducerId ").Append(image.NextProducerId).Append('\n');
        return text.ToString();
    }

    private static void AppendBroker(StringBuilder text, BrokerRegistration b)
    {
        text.Append($"broker {b.BrokerId} epoch={b.Epoch} incarnation={b.IncarnationId} fenced={b.Fenced} ")
            .Append($"controlledShutdown={b.InControlledShutdown} rack={b.Rack ?? "null"} registeredAt={b.RegistrationOffset}")
            .Append(" endpoints=[").Append(string.Join(",", b.Endpoints.Select(e => $"{e.ListenerName}://{e.Host}:{e.Port}/{e.SecurityProtocol}")))
            .Append("] features=[").Append(string.Join(",", b.Features.Select(f => $"{f.Name}:{f.MinVersion}-{f.MaxVersion}")))
            .Append("] logDirs=[").Append(string.Join(",", b.LogDirs)).Append("]\n");
    }

    private static string Ids(IEnumerable<int> ids) => "[" + string.Join(",", ids) + "]";
}
