using System.Text.Json;
using Reference.Protocol.Messages;
using Reference.Protocol.Primitives;

namespace Reference.Broker.Storage;

/// <summary>
/// The KRaft replica's election state, <c>__cluster_metadata-0/quorum-state</c>, in Kafka's JSON layout
/// (FileQuorumStateStore): the fields of QuorumStateData plus <c>data_version</c>. A vote or an epoch is
/// acted on only after this file holds it (Raft §5.2's persistent state), so it is replaced atomically and
/// fsynced before <see cref="Write"/> returns. The version written is the lowest that holds every field
/// set: v0 (static quorum, Kafka's kraft.version 0) unless a voted directory id needs v1.
/// </summary>
public static class QuorumStateFile
{
    public const string FileName = "quorum-state";

    public static string PathIn(string metadataLogDirectory) => Path.Combine(metadataLogDirectory, FileName);

    public static void Write(string path, QuorumStateData state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DurableFile.WriteAtomically(path, ToJson(state));
    }

    /// <summary>The state, or null when the file does not exist (a node that never voted); throws when it is unreadable.</summary>
    public static QuorumStateData? Read(string path)
    {
        if (!File.Exists(path)) return null;
        byte[] json = File.ReadAllBytes(path);
        try
        {
            return FromJson(json);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path} is not a quorum-state file: {error.Message}", error);
        }
    }

    internal static byte[] ToJson(QuorumStateData state)
    {
        bool needsVersion1 = state.VotedDirectoryId != Uuid.Zero;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (!needsVersion1) json.WriteString("clusterId", state.ClusterId);
            json.WriteNumber("leaderId", state.LeaderId);
            json.WriteNumber("leaderEpoch", state.LeaderEpoch);
            json.WriteNumber("votedId", state.VotedId);
            if (needsVersion1) json.WriteString("votedDirectoryId", state.VotedDirectoryId.ToString());
            else
            {
                json.WriteNumber("appliedOffset", state.AppliedOffset);
                json.WritePropertyName("currentVoters");
                WriteVoters(json, state.CurrentVoters);
            }
            json.WriteNumber("data_version", needsVersion1 ? 1 : 0);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteVoters(Utf8JsonWriter json, List<QuorumStateData.Voter>? voters)
    {
        if (voters is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartArray();
        foreach (QuorumStateData.Voter voter in voters)
        {
            json.WriteStartObject();
            json.WriteNumber("voterId", voter.VoterId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    internal static QuorumStateData FromJson(byte[] json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        int version = root.GetProperty("data_version").GetInt32();
        if (version is not (0 or 1)) throw new FormatException($"data_version {version} is neither 0 nor 1");
        var state = new QuorumStateData
        {
            LeaderId = root.GetProperty("leaderId").GetInt32(),
            LeaderEpoch = root.GetProperty("leaderEpoch").GetInt32(),
            VotedId = root.GetProperty("votedId").GetInt32(),
        };
        if (version == 1)
        {
            if (!Uuid.TryParse(root.GetProperty("votedDirectoryId").GetString(), out Uuid directoryId))
                throw new FormatException("votedDirectoryId is not a UUID");
            state.VotedDirectoryId = directoryId;
            return state;
        }
        state.ClusterId = root.TryGetProperty("clusterId", out JsonElement clusterId) ? clusterId.GetString() ?? "" : "";
        state.AppliedOffset = root.TryGetProperty("appliedOffset", out JsonElement applied) ? applied.GetInt64() : 0;
        if (root.TryGetProperty("currentVoters", out JsonElement voters) && voters.ValueKind == JsonValueKind.Array)
            state.CurrentVoters = voters.EnumerateArray()
                .Select(v => new QuorumStateData.Voter { VoterId = v.GetProperty("voterId").GetInt32() }).ToList();
        return state;
    }
}
