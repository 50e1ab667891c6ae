using System.Text;

namespace Reference.Protocol.Generator;

/// <summary>Lines of C# with four-space indentation and braces that open and close blocks.</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
    }

    public void Open()
    {
        Line("{");
        _depth++;
    }

    public void Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
    }

    /// <summary>Runs <paramref name="body"/> under "if (condition)", or unconditionally when it is "true".</summary>
    public void If(string condition, Action body)
    {
        if (condition == "false") return;
        if (condition == "true")
        {
            body();
            return;
        }
        Line($"if ({condition})");
        Open();
        body();
        Close();
    }

    public override string ToString() => _text.ToString();
}
