namespace Reference.Core.Groups;

/// <summary>
/// The states of a classic group (Kafka's <c>GroupState</c>); the names are what DescribeGroups and
/// ListGroups report. Allowed moves, as Kafka's <c>validPreviousStates</c> has them:
/// <code>
///   Empty ──────────────► PreparingRebalance ──► CompletingRebalance ──► Stable
///     ▲                     │  ▲  ▲                     │                  │
///     └─────────────────────┘  │  └─────────────────────┘                  │
///                              └───────────────────────────────────────────┘
///   any state ──► Dead (deleted, expired, or its partition is no longer led here)
/// </code>
/// </summary>
public enum GroupState
{
    /// <summary>No members; may still hold committed offsets (a simple consumer's group is always Empty).</summary>
    Empty,

    /// <summary>Waiting for the members to (re)join; the generation is about to move.</summary>
    PreparingRebalance,

    /// <summary>A generation is chosen and the leader has the members' metadata; waiting for its SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>The leader's assignment is stored and handed out; heartbeats keep members in.</summary>
    Stable,

    /// <summary>Gone from this coordinator; a request that still holds the group gets a retriable error.</summary>
    Dead,
}

internal static class GroupStateTransitions
{
    public static bool IsAllowed(GroupState from, GroupState to) => to switch
    {
        GroupState.Dead => true,
        GroupState.PreparingRebalance => from is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty,
        GroupState.CompletingRebalance => from == GroupState.PreparingRebalance,
        GroupState.Stable => from == GroupState.CompletingRebalance,
        GroupState.Empty => from == GroupState.PreparingRebalance,
        _ => false,
    };
}
