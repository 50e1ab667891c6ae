using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Reference.Core.Log;
using Reference.Core.Raft;

namespace Reference.Broker.Storage;

/// <summary>
/// A log's snapshots on disk, laid out as Kafka lays out the metadata log's (KIP-630; <c>Snapshots.java</c>):
/// one file per snapshot in the partition directory, named <c>&lt;end offset, 20 digits&gt;-&lt;epoch, 10
/// digits&gt;.checkpoint</c>. A snapshot is written to a <c>.checkpoint.part</c> file, fsynced, renamed to its
/// name and the directory fsynced: a crash leaves the whole snapshot or none, and a leftover <c>.part</c> is
/// never listed. So a snapshot here is durable as soon as it is written, which NodeEffect.WriteSnapshot allows.
/// </summary>
internal static class SnapshotFiles
{
    public const string Suffix = ".checkpoint";
    public const string PartSuffix = ".checkpoint.part";

    public static string FileName(OffsetAndEpoch id) =>
        string.Create(CultureInfo.InvariantCulture, $"{id.Offset:D20}-{id.Epoch:D10}{Suffix}");

    public static bool TryParse(string fileName, out OffsetAndEpoch id)
    {
        id = default;
        if (!fileName.EndsWith(Suffix, StringComparison.Ordinal) || fileName.Length != 20 + 1 + 10 + Suffix.Length || fileName[20] != '-') return false;
        if (!long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out long offset)) return false;
        if (!int.TryParse(fileName.AsSpan(21, 10), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)) return false;
        id = new OffsetAndEpoch(offset, epoch);
        return true;
    }

    /// <summary>The snapshots in a partition directory, by end offset then epoch; a leftover <c>.part</c> file is not one (the next write of that id replaces it).</summary>
    public static IReadOnlyList<SnapshotInfo> List(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return Directory.GetFiles(directory, "*" + Suffix)
            .Select(path => TryParse(Path.GetFileName(path), out OffsetAndEpoch id) ? new SnapshotInfo(id, new FileInfo(path).Length, IsDurable: true) : (SnapshotInfo?)null)
            .OfType<SnapshotInfo>()
            .OrderBy(s => s.Id.Offset).ThenBy(s => s.Id.Epoch)
            .ToList();
    }

    /// <summary>Writes the snapshot durably (part file, fsync, rename, directory fsync); an existing one is kept.</summary>
    public static void Write(string directory, OffsetAndEpoch id, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName(id));
        if (File.Exists(path)) return;
        string part = Path.Combine(directory, FileName(id)[..^Suffix.Length] + PartSuffix);
        using (SafeFileHandle handle = File.OpenHandle(part, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, fileOffset: 0);
            RandomAccess.FlushToDisk(handle);
        }
        File.Move(part, path);
        DurableFile.SyncDirectory(directory);
    }

    public static void Delete(string directory, OffsetAndEpoch id)
    {
        string path = Path.Combine(directory, FileName(id));
        if (!File.Exists(path)) return;
        File.Delete(path);
        DurableFile.SyncDirectory(directory);
    }

    public static ReadOnlyMemory<byte> Read(string directory, OffsetAndEpoch id, long position, int maxBytes)
    {
        string path = Path.Combine(directory, FileName(id));
        if (!File.Exists(path) || position < 0 || maxBytes <= 0) return ReadOnlyMemory<byte>.Empty;
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        long length = RandomAccess.GetLength(handle);
        if (position >= length) return ReadOnlyMemory<byte>.Empty;
        var buffer = new byte[(int)Math.Min(maxBytes, length - position)];
        int read = 0;
        // Each read returns at least one byte until the end, so this runs at most buffer.Length times.
        while (read < buffer.Length)
        {
            int got = RandomAccess.Read(handle, buffer.AsSpan(read), position + read);
            if (got == 0) break;
            read += got;
        }
        return buffer.AsMemory(0, read);
    }
}
