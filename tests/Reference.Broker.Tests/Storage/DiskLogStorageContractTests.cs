using Reference.Broker.Storage;
using Reference.Core;
using Reference.Core.Log;
using Reference.Core.Node;

namespace Reference.Broker.Tests.Storage;

/// <summary>The broker's disk, held to the model's expectations, with a small index interval so lookups use the index.</summary>
public sealed class DiskLogStorageContractTests : LogStorageContract
{
    protected override ILogStorageUnderTest Create(long segmentBytes = 1L << 30) => new DiskUnderTest(segmentBytes);

    internal sealed class DiskUnderTest : ILogStorageUnderTest
    {
        private readonly TemporaryDirectory _directory = new();
        private long _nowMs;

        public DiskUnderTest(long segmentBytes, int indexIntervalBytes = 100, long segmentMs = long.MaxValue)
        {
            Options = new DiskLogStorageOptions(_directory.Combine("data"), _directory.Combine("data"), new DiskLogSettings(segmentBytes, segmentMs, indexIntervalBytes));
            Storage = DiskLogStorage.Open(Options, () => _nowMs, Warnings.Add);
        }

        public DiskLogStorageOptions Options { get; }

        public DiskLogStorage Storage { get; private set; }

        public List<string> Warnings { get; } = [];

        public ILogStorage Reads => Storage;

        public long NowMs { set => _nowMs = value; }

        public string PartitionDirectory(TopicPartition log) => Path.Combine(Options.DataDirectory, log.ToString());

        public bool Apply(NodeEffect effect) => Storage.Apply(effect);

        public long Flush(TopicPartition log) => Storage.FlushNow(log);

        /// <summary>Stops (cleanly: flush and marker; or as kill -9 would: just let go of the files) and opens again.</summary>
        public void Reopen(bool clean, Action? whileStopped = null)
        {
            if (clean) Storage.Close();
            else Storage.Dispose();
            whileStopped?.Invoke();
            Storage = DiskLogStorage.Open(Options, () => _nowMs, Warnings.Add);
        }

        public void Dispose()
        {
            Storage.Dispose();
            _directory.Dispose();
        }
    }
}
