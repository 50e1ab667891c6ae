using Reference.Cli;

return await KraftCommandLine.RunAsync(args, CliConsole.FromSystem());
