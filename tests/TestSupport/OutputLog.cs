using System.Text;

namespace UserData.TestSupport;

/// <summary>A child process's output lines, kept for error messages and for waiting on a line.</summary>
public sealed class OutputLog
{
    private readonly StringBuilder _text = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            _text.AppendLine(line);
        }
    }

    public bool Contains(string value)
    {
        lock (_text)
        {
            return _text.ToString().Contains(value, StringComparison.Ordinal);
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
