namespace Reference.Core.Metadata;

/// <summary>
/// The <c>metadata.version</c> feature level this cluster runs at, and the record versions it implies.
/// We bootstrap at level 21, Kafka 3.9's <c>3.9-IV0</c> (Kafka's <c>MetadataVersion.IBP_3_9_IV0</c>), and
/// write each record in the version Kafka's controller writes at that level, so that Kafka's own tools
/// (<c>kafka-dump-log --cluster-metadata-decoder</c>) would read our log as one of theirs.
/// </summary>
public static class MetadataVersion
{
    /// <summary>The feature that names the metadata format (KIP-778).</summary>
    public const string FeatureName = "metadata.version";

    /// <summary>3.9-IV0: the level the controller bootstraps an empty log with.</summary>
    public const short Level = 21;

    public const string LevelName = "3.9-IV0";

    /// <summary>3.0-IV1, the first KRaft level (Kafka's <c>MINIMUM_KRAFT_VERSION</c>): our image reads every record version since.</summary>
    public const short MinimumKraftLevel = 1;

    /// <summary>v3 carries LogDirs (3.7-IV2, directory assignment; KIP-858).</summary>
    public const short RegisterBrokerRecordVersion = 3;

    /// <summary>v1 carries Directories (3.7-IV2); v2, with ELR fields, only once KIP-966 is on, which 3.9-IV0 is not.</summary>
    public const short PartitionRecordVersion = 1;

    /// <summary>As <see cref="PartitionRecordVersion"/>.</summary>
    public const short PartitionChangeRecordVersion = 1;

    /// <summary>
    /// PartitionRecord and PartitionChangeRecord v2 carry EligibleLeaderReplicas and LastKnownElr (KIP-966, tagged fields). Kafka writes it once
    /// metadata.version is 4.0-IV1 and eligible.leader.replicas.version is 1; this core keeps eligible leader
    /// replicas at 3.9-IV0 (see <see cref="Controller.PartitionChange"/>) and writes v2 only for a record that
    /// carries an ELR field, so every other record reads as Kafka 3.9 writes it.
    /// </summary>
    public const short ElrRecordVersion = 2;

    /// <summary>
    /// Fencing and unfencing write v0 (only the Fenced field); entering controlled shutdown writes v1, the first
    /// version with InControlledShutdown. Since 3.3-IV2 Kafka uses this record instead of Fence/UnfenceBrokerRecord.
    /// </summary>
    public const short FencingChangeRecordVersion = 0;

    public const short ControlledShutdownChangeRecordVersion = 1;

    /// <summary>Every other record we write has only version 0.</summary>
    public const short BaseRecordVersion = 0;
}
