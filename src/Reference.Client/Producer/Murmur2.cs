namespace Reference.Client.Producer;

/// <summary>
/// Kafka's murmur2 (Utils.murmur2, a port of Austin Appleby's MurmurHash2 with Kafka's fixed seed) and the
/// default partition of a keyed record: <c>toPositive(murmur2(key)) % numPartitions</c>. Keys must land
/// on the partition the Java client picks, or two producers of one topic would split a key's records.
/// </summary>
public static class Murmur2
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>The 32-bit hash, as Java's signed int.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int fullWords = length / 4;
        for (int i = 0; i < fullWords; i++)
        {
            int at = i * 4;
            uint k = data[at] | ((uint)data[at + 1] << 8) | ((uint)data[at + 2] << 16) | ((uint)data[at + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = length & ~3;
        // Java's switch falls through from case 3 to case 1; only case 1 multiplies.
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }
        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }

    /// <summary>Kafka's Utils.toPositive: clears the sign bit (not Math.Abs, which overflows on int.MinValue).</summary>
    public static int ToPositive(int number) => number & 0x7fffffff;

    /// <summary>The partition Kafka's default partitioner gives a non-null key.</summary>
    public static int PartitionForKey(ReadOnlySpan<byte> key, int partitionCount)
    {
        if (partitionCount <= 0) throw new ArgumentOutOfRangeException(nameof(partitionCount), partitionCount, "a topic has at least one partition");
        return ToPositive(Hash(key)) % partitionCount;
    }
}
