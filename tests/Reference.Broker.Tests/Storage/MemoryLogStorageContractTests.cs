using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;
using Reference.Simulation.Storage;

namespace Reference.Broker.Tests.Storage;

/// <summary>The model: the simulator's in-memory disk.</summary>
public sealed class MemoryLogStorageContractTests : LogStorageContract
{
    protected override ILogStorageUnderTest Create(long segmentBytes = 1L << 30) => new MemoryUnderTest(new MemoryLogStorage { SegmentBytes = segmentBytes });

    private sealed class MemoryUnderTest(MemoryLogStorage storage) : ILogStorageUnderTest
    {
        public ILogStorage Reads => storage;

        public long NowMs { set => storage.NowMs = value; }

        public bool Apply(NodeEffect effect) => storage.Apply(effect);

        public long Flush(TopicPartition log) => storage.Flush(log);

        public void Dispose()
        {
        }
    }
}
