using System.Runtime.InteropServices;

namespace Reference.Protocol.Compression;

/// <summary>
/// The LZ4 frame API (lz4frame.h) of Debian's <c>liblz4.so.1</c>. Signatures are blittable so calls
/// need no marshalling; <c>size_t</c> is <see cref="nuint"/>.
/// </summary>
internal static unsafe class Lz4Native
{
    private const string LibraryName = "liblz4.so.1";

    /// <summary>LZ4F_VERSION, the frame API version a decompression context is created for.</summary>
    public const uint FrameApiVersion = 100;

    /// <summary>LZ4F_max64KB: Kafka's own writer (KafkaLZ4BlockOutputStream) and librdkafka use 64 KiB blocks.</summary>
    public const int BlockSizeId64KiB = 4;

    /// <summary>LZ4F_blockIndependent: Kafka's Java reader decodes every block on its own.</summary>
    public const int BlockModeIndependent = 1;

    public static bool IsAvailable { get; } = NativeLibraryProbe.TryGetVersion(LZ4F_getVersion) is not null;

    [DllImport(LibraryName)]
    public static extern uint LZ4F_getVersion();

    [DllImport(LibraryName)]
    public static extern uint LZ4F_isError(nuint code);

    [DllImport(LibraryName)]
    public static extern nuint LZ4F_compressFrameBound(nuint sourceSize, Lz4Preferences* preferences);

    [DllImport(LibraryName)]
    public static extern nuint LZ4F_compressFrame(byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, Lz4Preferences* preferences);

    [DllImport(LibraryName)]
    public static extern nuint LZ4F_createDecompressionContext(nint* context, uint version);

    [DllImport(LibraryName)]
    public static extern nuint LZ4F_freeDecompressionContext(nint context);

    /// <summary>Decodes as much as fits; on return the two sizes hold what was written and consumed, and
    /// the result is 0 when a frame is complete, else a hint of the input still expected.</summary>
    [DllImport(LibraryName)]
    public static extern nuint LZ4F_decompress(nint context, byte* destination, nuint* destinationSize, byte* source, nuint* sourceSize, void* options);
}

/// <summary>LZ4F_preferences_t (with its LZ4F_frameInfo_t inline), field for field as in lz4frame.h 1.9.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Lz4Preferences
{
    public int BlockSizeId;
    public int BlockMode;
    public int ContentChecksumFlag;
    public int FrameType;
    public ulong ContentSize;
    public uint DictionaryId;
    public int BlockChecksumFlag;
    public int CompressionLevel;
    public uint AutoFlush;
    public uint FavorDecompressionSpeed;
    public uint Reserved0;
    public uint Reserved1;
    public uint Reserved2;
}
