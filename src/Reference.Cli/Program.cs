using Reference.Cli;

// spec/'s invariants are what `kraft sim` and `kraft replay` check after every event (spec/README.md).
Reference.Simulation.SimulatedCluster.DefaultMonitors = Reference.Spec.SpecMonitors.All;

return await KraftCommandLine.RunAsync(args, CliConsole.FromSystem());
