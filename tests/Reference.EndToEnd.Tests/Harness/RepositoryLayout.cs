namespace Reference.EndToEnd.Tests.Harness;

/// <summary>
/// Where the things the tests run live: the repository (found by walking up from the test assembly to
/// Reference.sln), the client scripts in tests/clients, and kraft.dll. Every lookup fails with a line that
/// says how to fix it, because a missing tool would otherwise show up as a confusing client error.
/// </summary>
public static class RepositoryLayout
{
    /// <summary>How far above the test assembly Reference.sln may be (tests/X/bin/Release/net10.0 is five).</summary>
    private const int ParentDirectoriesMax = 8;

    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RootDirectory => Root.Value;

    public static string ClientsDirectory => Path.Combine(RootDirectory, "tests", "clients");

    /// <summary>A script in tests/clients; throws when it is not there.</summary>
    public static string ClientScript(string fileName)
    {
        string path = Path.Combine(ClientsDirectory, fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"The client script {path} is missing.", path);
        return path;
    }

    /// <summary>
    /// The kraft.dll to run: the copy next to this assembly (built in the same configuration as the tests,
    /// so never stale against them), else the Cli project's own Release or Debug output.
    /// </summary>
    public static string KraftDll()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "kraft.dll"),
            Path.Combine(RootDirectory, "src", "Reference.Cli", "bin", "Release", "net10.0", "kraft.dll"),
            Path.Combine(RootDirectory, "src", "Reference.Cli", "bin", "Debug", "net10.0", "kraft.dll"),
        ];
        // `dotnet kraft.dll` needs the runtimeconfig beside it; a dll without one cannot start.
        string? found = candidates.FirstOrDefault(dll => File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")));
        return found ?? throw new FileNotFoundException(
            $"kraft.dll (with kraft.runtimeconfig.json) is in none of {string.Join(", ", candidates)}: build Reference.sln first (tests/run does).");
    }

    /// <summary>
    /// The dotnet host: the one `dotnet test` names in DOTNET_HOST_PATH (so the broker runs on the same
    /// runtime as the tests), else `dotnet` on PATH.
    /// </summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : OnPath("dotnet") ?? throw new FileNotFoundException("dotnet is not on PATH.");

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        for (int level = 0; directory is not null && level <= ParentDirectoriesMax; level++, directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Reference.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No Reference.sln within {ParentDirectoriesMax} directories above {AppContext.BaseDirectory}.");
    }
}
