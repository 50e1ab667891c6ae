namespace Reference.Core.Replication;

/// <summary>
/// An ISR change the leader has proposed to the controller and not yet seen committed (Kafka's
/// <c>PendingExpandIsr</c> / <c>PendingShrinkIsr</c>, KIP-497). While it is pending, the "maximal" ISR
/// that gates the HW includes a joining replica at once but keeps a leaving one, so a failed proposal can
/// never have let the HW run ahead of what the committed ISR holds.
/// </summary>
/// <param name="ProposedIsr">The ISR sent, ascending.</param>
/// <param name="MaximalIsr">The committed ISR plus a replica being added, ascending.</param>
public sealed record IsrChange(IReadOnlyList<int> ProposedIsr, IReadOnlyList<int> MaximalIsr)
{
    /// <summary>True once an AlterPartition carrying it is out; false while it waits for a controller or a retry.</summary>
    public bool IsSent { get; set; }
}
