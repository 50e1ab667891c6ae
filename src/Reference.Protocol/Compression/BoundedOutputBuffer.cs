namespace Reference.Protocol.Compression;

/// <summary>
/// The growing output of one decompression. Its capacity never exceeds the caller's maximum plus one
/// sentinel byte: a codec that fills the sentinel has proved the output is too large without our ever
/// holding more than the bound, which is what makes the codecs zip-bomb safe.
/// </summary>
internal sealed class BoundedOutputBuffer
{
    /// <summary>First allocation for small batches; most compressed batches are a few KiB.</summary>
    private const int InitialCapacityBytesMin = 4096;

    /// <summary>First guess at the expansion ratio, so typical batches need no regrowth.</summary>
    private const int InitialExpansionFactor = 4;

    private readonly int _outputBytesMax;
    private readonly int _capacityBytesMax;
    private byte[] _buffer;
    private int _length;

    public BoundedOutputBuffer(int outputBytesMax, int inputLengthBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outputBytesMax);
        ArgumentOutOfRangeException.ThrowIfEqual(outputBytesMax, int.MaxValue);
        _outputBytesMax = outputBytesMax;
        _capacityBytesMax = outputBytesMax + 1;
        long guess = Math.Max(InitialCapacityBytesMin, (long)inputLengthBytes * InitialExpansionFactor);
        _buffer = new byte[(int)Math.Min(guess, _capacityBytesMax)];
    }

    public int Length => _length;

    public int OutputBytesMax => _outputBytesMax;

    public bool ExceedsMax => _length > _outputBytesMax;

    public Span<byte> Free => _buffer.AsSpan(_length);

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _length)
            throw new InvalidOperationException($"advance by {count} with {_buffer.Length - _length} bytes free");
        _length += count;
    }

    /// <summary>Doubles the capacity up to the bound; false once the bound (with its sentinel) is reached.</summary>
    public bool TryGrow()
    {
        if (_buffer.Length >= _capacityBytesMax) return false;
        int capacity = (int)Math.Min((long)_buffer.Length * 2, _capacityBytesMax);
        Array.Resize(ref _buffer, capacity);
        return true;
    }

    /// <summary>Makes room for at least one more byte, or reports that the bound (with its sentinel) is reached.</summary>
    public bool EnsureFree() => _length < _buffer.Length || TryGrow();

    /// <summary>Makes room for exactly <paramref name="count"/> more bytes of output, or reports that they
    /// would exceed the bound; for codecs that know an output size before decoding.</summary>
    public bool TryReserve(long count)
    {
        if (count < 0 || _length + count > _outputBytesMax) return false;
        while (_buffer.Length - _length < count)
        {
            if (!TryGrow()) return false;
        }
        return true;
    }
}
