using Reference.Protocol.Generator;

// Regenerates src/Reference.Protocol/Messages/Generated from the .kmsg definitions.
// `--check` changes nothing and exits 1 if the checked-in files are stale (a test does the same).
bool check = args.Contains("--check");
string root = MessageGenerator.FindRepositoryRoot(Directory.GetCurrentDirectory());
string definitions = Path.Combine(root, MessageGenerator.DefinitionsFolder);
string output = Path.Combine(root, MessageGenerator.GeneratedFolder);

SortedDictionary<string, string> files;
try
{
    files = MessageGenerator.GenerateAll(definitions);
}
catch (FormatException error)
{
    Console.Error.WriteLine($"error: {error.Message}");
    return 2;
}

var stale = files.Where(f => !File.Exists(Path.Combine(output, f.Key)) || File.ReadAllText(Path.Combine(output, f.Key)) != f.Value)
    .Select(f => f.Key).ToList();
var orphans = Directory.Exists(output)
    ? Directory.GetFiles(output, "*.g.cs").Select(Path.GetFileName).Where(name => !files.ContainsKey(name!)).ToList()
    : [];
if (check)
{
    foreach (string name in stale) Console.Error.WriteLine($"stale: {name}");
    foreach (string? name in orphans) Console.Error.WriteLine($"orphan: {name}");
    return stale.Count + orphans.Count == 0 ? 0 : 1;
}
Directory.CreateDirectory(output);
foreach (string name in stale) File.WriteAllText(Path.Combine(output, name), files[name]);
foreach (string? name in orphans) File.Delete(Path.Combine(output, name!));
Console.WriteLine($"{files.Count} files, {stale.Count} written, {orphans.Count} removed");
return 0;
