namespace Reference.Core.Groups;

/// <summary>
/// Assertions that stay on in release builds (Debug.Assert does not): an invariant of the coordinator that
/// fails is a bug, and going on would corrupt groups or offsets, so it throws.
/// </summary>
internal static class GroupInvariant
{
    public static void Check(bool condition, string invariant)
    {
        if (!condition) throw new InvalidOperationException($"group coordinator invariant broken: {invariant}");
    }
}
