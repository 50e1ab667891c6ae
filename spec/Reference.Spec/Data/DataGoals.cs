namespace Reference.Spec.Data;

/// <summary>The data checks' "sometimes" goals: a check that never got to compare anything proves nothing.</summary>
public static class DataGoals
{
    /// <summary>An acks=all write was read back at its offset after its acknowledgement (AcknowledgedWritesSurvive).</summary>
    public const string AcknowledgedWriteReadBack = "data.acked-write-read-back";

    /// <summary>An acks=all write was gone and every replica that held it had lost it to a crash: the excuse was used.</summary>
    public const string AcknowledgedWriteLostToCrash = "data.acked-write-lost-to-crash";

    /// <summary>An idempotent producer's value was read (NoDuplicatesWithIdempotence has something to compare).</summary>
    public const string IdempotentWriteReadBack = "data.idempotent-write-read";

    /// <summary>An OffsetFetch was invoked after an acknowledged commit and answered (CommittedOffsetsNeverRegress compared).</summary>
    public const string CommitReadBack = "data.commit-read-back";
}
