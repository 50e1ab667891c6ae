using Reference.Protocol;

namespace Reference.Core.Replication;

/// <summary>What an appended batch waits for before its producer is answered.</summary>
public enum AckLevel
{
    /// <summary>acks=1 with FlushBeforeAcknowledge: the leader's own copy is durable.</summary>
    Durable,

    /// <summary>acks=all: the high watermark has passed the batch (the ISR has it, durably when so configured).</summary>
    HighWatermark,
}

/// <summary>Whether a waiting append is acknowledged yet, and with which error when it is over.</summary>
public readonly record struct AckStatus(bool IsComplete, ErrorCode Error)
{
    public static readonly AckStatus Waiting = new(false, ErrorCode.None);

    public static readonly AckStatus Done = new(true, ErrorCode.None);

    public static AckStatus Failed(ErrorCode error) => new(true, error);
}
