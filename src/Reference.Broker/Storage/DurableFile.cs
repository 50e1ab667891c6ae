using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Reference.Broker.Storage;

/// <summary>
/// Writes that survive a power cut. A file is replaced atomically by writing a temporary file, fsyncing
/// it, renaming it over the old one and fsyncing the directory: a crash leaves the old content or the new,
/// never a mix, and once this returns the new name is on disk too (the rename is a directory write).
/// </summary>
internal static class DurableFile
{
    private const string TemporarySuffix = ".tmp";

    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string temporary = path + TemporarySuffix;
        using (SafeFileHandle handle = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, fileOffset: 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>True for the leftovers of a write that a crash interrupted; they are deleted at start.</summary>
    public static bool IsTemporary(string path) => path.EndsWith(TemporarySuffix, StringComparison.Ordinal);

    /// <summary>
    /// Makes a directory's entries (files created, renamed or deleted in it) durable. .NET cannot open a
    /// directory as a file, so this calls open(2) and fsync(2) itself; on Windows, where NTFS journals
    /// directory changes and a directory cannot be fsynced, it does nothing.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int descriptor = PosixFile.open(directory, PosixFile.ReadOnly);
        if (descriptor < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (PosixFile.fsync(descriptor) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            PosixFile.close(descriptor);
        }
    }

    private static class PosixFile
    {
        public const int ReadOnly = 0;

        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int descriptor);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int descriptor);
    }
}
