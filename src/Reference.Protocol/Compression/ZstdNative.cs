using System.Runtime.InteropServices;

namespace Reference.Protocol.Compression;

/// <summary>
/// The zstd API (zstd.h) of Debian's <c>libzstd.so.1</c>, blittable signatures only; <c>size_t</c> is
/// <see cref="nuint"/>. A ZSTD_DStream is a ZSTD_DCtx since zstd 1.3.0, so parameters apply to it directly.
/// </summary>
internal static unsafe class ZstdNative
{
    private const string LibraryName = "libzstd.so.1";

    /// <summary>ZSTD_DCtx_setParameter left the experimental section in 1.4.0.</summary>
    private const uint VersionNumberMin = 10400;

    /// <summary>ZSTD_d_windowLogMax.</summary>
    public const int ParameterWindowLogMax = 100;

    public static bool IsAvailable { get; } = NativeLibraryProbe.TryGetVersion(ZSTD_versionNumber) >= VersionNumberMin;

    [DllImport(LibraryName)]
    public static extern uint ZSTD_versionNumber();

    [DllImport(LibraryName)]
    public static extern uint ZSTD_isError(nuint code);

    [DllImport(LibraryName)]
    public static extern nuint ZSTD_compressBound(nuint sourceSize);

    [DllImport(LibraryName)]
    public static extern nuint ZSTD_compress(byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, int compressionLevel);

    [DllImport(LibraryName)]
    public static extern nint ZSTD_createDStream();

    [DllImport(LibraryName)]
    public static extern nuint ZSTD_freeDStream(nint stream);

    [DllImport(LibraryName)]
    public static extern nuint ZSTD_initDStream(nint stream);

    [DllImport(LibraryName)]
    public static extern nuint ZSTD_DCtx_setParameter(nint context, int parameter, int value);

    /// <summary>Returns 0 once a frame is fully decoded and flushed, else a hint; advances both positions.</summary>
    [DllImport(LibraryName)]
    public static extern nuint ZSTD_decompressStream(nint stream, ZstdOutBuffer* output, ZstdInBuffer* input);
}

/// <summary>ZSTD_inBuffer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdInBuffer
{
    public byte* Source;
    public nuint Size;
    public nuint Position;
}

/// <summary>ZSTD_outBuffer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdOutBuffer
{
    public byte* Destination;
    public nuint Size;
    public nuint Position;
}
