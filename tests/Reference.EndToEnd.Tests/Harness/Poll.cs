using System.Diagnostics;

namespace Reference.EndToEnd.Tests.Harness;

/// <summary>Bounded waiting for a condition that another process makes true.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Checks <paramref name="isSatisfied"/> every <see cref="Interval"/>; throws with <paramref name="describe"/>'s account of the state when <paramref name="timeout"/> passes first.</summary>
    public static async Task UntilAsync(Func<Task<bool>> isSatisfied, TimeSpan timeout, Func<string> describe)
    {
        var waited = Stopwatch.StartNew();
        while (!await isSatisfied())
        {
            if (waited.Elapsed > timeout) throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {describe()}");
            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> isSatisfied, TimeSpan timeout, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(isSatisfied()), timeout, describe);
}
