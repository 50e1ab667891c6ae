namespace Reference.Protocol.Compression;

/// <summary>
/// Decides once whether a native codec library is usable, by calling one cheap export of it. A missing
/// library or symbol turns the codec into "unsupported" (UNSUPPORTED_COMPRESSION_TYPE on the wire) instead
/// of a crash on the first batch that needs it.
/// </summary>
internal static class NativeLibraryProbe
{
    /// <summary>Runs <paramref name="versionCall"/>; null when its library or entry point cannot be bound.</summary>
    public static uint? TryGetVersion(Func<uint> versionCall)
    {
        try
        {
            return versionCall();
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }
}
