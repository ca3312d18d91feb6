using System.Text;

namespace Headsup.Datasets.Loading;

/// <summary>
/// Streams records from RFC 4180 CSV text: fields separated by commas, optionally quoted with '"' (a doubled quote inside
/// quotes is one quote; quoted fields may hold commas and line breaks), records ending in LF or CRLF, a UTF-8 byte order
/// mark ignored. One record is held at a time, so memory stays bounded for files of millions of rows.
/// </summary>
public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly StringBuilder _field = new();
    private readonly bool _ownsReader;
    private bool _first = true;

    /// <summary>Reads from <paramref name="reader"/>.</summary>
    public CsvReader(TextReader reader, bool ownsReader = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _ownsReader = ownsReader;
    }

    /// <summary>Opens a file (UTF-8, BOM detected).</summary>
    public static CsvReader Open(string path) =>
        new(new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 }), ownsReader: true);

    /// <summary>The 1-based line on which the last record read started.</summary>
    public long RecordLine { get; private set; }

    private long _line = 1;

    /// <summary>Reads the next record into <paramref name="fields"/> (cleared first); false at the end of the text.</summary>
    /// <exception cref="FormatException">A quoted field is not closed before the end of the text.</exception>
    public bool TryReadRecord(List<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        int c = _reader.Read();
        if (_first)
        {
            _first = false;
            if (c == '\uFEFF')
            {
                c = _reader.Read();
            }
        }

        if (c < 0)
        {
            return false;
        }

        RecordLine = _line;
        _field.Clear();
        bool quoted = false;
        bool wasQuoted = false;
        while (true)
        {
            if (quoted)
            {
                if (c < 0)
                {
                    throw new FormatException($"line {RecordLine}: a quoted field is not closed");
                }

                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    _field.Append((char)c);
                }
            }
            else if (c == '"' && _field.Length == 0 && !wasQuoted)
            {
                quoted = true;
                wasQuoted = true;
            }
            else if (c == ',')
            {
                fields.Add(_field.ToString());
                _field.Clear();
                wasQuoted = false;
            }
            else if (c is '\n' or '\r' or < 0)
            {
                if (c == '\r' && _reader.Peek() == '\n')
                {
                    _reader.Read();
                }

                if (c >= 0)
                {
                    _line++;
                }

                fields.Add(_field.ToString());
                return true;
            }
            else
            {
                _field.Append((char)c);
            }

            c = _reader.Read();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsReader)
        {
            _reader.Dispose();
        }
    }
}
