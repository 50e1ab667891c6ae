namespace Reference.Protocol.Records;

/// <summary>Bit 3 of the batch attributes: who set the timestamps (KIP-32).</summary>
public enum TimestampType
{
    /// <summary>The producer's clock; records carry their own timestamps.</summary>
    CreateTime = 0,

    /// <summary>The broker's clock at append; every record's timestamp is the batch's MaxTimestamp.</summary>
    LogAppendTime = 1,
}
