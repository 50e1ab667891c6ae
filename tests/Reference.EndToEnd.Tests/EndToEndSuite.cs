// Each test class starts its own broker and real client processes. On CI's two cores, classes running side
// by side would compete for the CPU and turn every bounded wait into a race, so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
