using System.Runtime.CompilerServices;

namespace Reference.Core.Log;

/// <summary>
/// Assertions that document the data plane's invariants and run (TigerBeetle's style): offsets dense and
/// monotonic, HW at most LEO, log start at most HW. A broken one is a bug in this code, never bad input;
/// bad input is answered with a Kafka error code instead.
/// </summary>
internal static class Invariant
{
    public static void Require(bool condition, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition) throw new InvalidOperationException($"data plane invariant broken: {expression}");
    }
}
