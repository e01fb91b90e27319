using System.Globalization;
using System.Text;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>A token (RFC 8941 §3.3.4), kept apart from strings because they serialize differently.</summary>
internal readonly record struct SfToken(string Text);

/// <summary>An item with its parameters; the bare value is a long, string, <see cref="SfToken"/>, byte[] or bool.</summary>
internal sealed record SfItem(object Value, IReadOnlyList<KeyValuePair<string, object>> Parameters);

internal sealed record SfInnerList(IReadOnlyList<SfItem> Items, IReadOnlyList<KeyValuePair<string, object>> Parameters);

/// <summary>
/// The part of RFC 8941 Structured Field Values that <c>Signature-Input</c>, <c>Signature</c> and
/// <c>Content-Digest</c> use: dictionaries whose members are items or inner lists, with parameters. Decimals are not
/// supported (no field here carries one) and fail to parse, which the caller treats as a malformed field.
/// </summary>
internal static class StructuredFields
{
    /// <summary>Members in order; a value is an <see cref="SfItem"/> or an <see cref="SfInnerList"/>. Null when malformed.</summary>
    public static IReadOnlyList<KeyValuePair<string, object>>? ParseDictionary(string field)
    {
        var reader = new Reader(field.Trim(' '));
        var members = new List<KeyValuePair<string, object>>();
        try
        {
            while (!reader.AtEnd)
            {
                var key = reader.Key();
                object member;
                if (reader.TryTake('='))
                {
                    member = reader.Peek == '(' ? reader.InnerList() : reader.Item();
                }
                else
                {
                    member = new SfItem(true, reader.Parameters());
                }

                var existing = members.FindIndex(m => m.Key == key);
                if (existing >= 0)
                {
                    members[existing] = new(key, member);
                }
                else
                {
                    members.Add(new(key, member));
                }

                reader.SkipWhitespace();
                if (reader.AtEnd)
                {
                    break;
                }

                reader.Expect(',');
                reader.SkipWhitespace();
                if (reader.AtEnd)
                {
                    return null;
                }
            }
        }
        catch (FormatException)
        {
            return null;
        }

        return members;
    }

    public static string Serialize(SfInnerList list)
    {
        var text = new StringBuilder("(");
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            AppendBareItem(text, list.Items[i].Value);
            AppendParameters(text, list.Items[i].Parameters);
        }

        text.Append(')');
        AppendParameters(text, list.Parameters);
        return text.ToString();
    }

    public static string SerializeByteSequence(ReadOnlySpan<byte> bytes) => ":" + Convert.ToBase64String(bytes) + ":";

    private static void AppendParameters(StringBuilder text, IReadOnlyList<KeyValuePair<string, object>> parameters)
    {
        foreach (var (key, value) in parameters)
        {
            text.Append(';').Append(key);
            if (value is not true)
            {
                text.Append('=');
                AppendBareItem(text, value);
            }
        }
    }

    private static void AppendBareItem(StringBuilder text, object value)
    {
        switch (value)
        {
            case long number:
                text.Append(number.ToString(CultureInfo.InvariantCulture));
                break;
            case string s:
                text.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case SfToken token:
                text.Append(token.Text);
                break;
            case byte[] bytes:
                text.Append(SerializeByteSequence(bytes));
                break;
            case bool flag:
                text.Append(flag ? "?1" : "?0");
                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} is not a structured field bare item.", nameof(value));
        }
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[_position];

        public bool TryTake(char expected)
        {
            if (Peek != expected || AtEnd)
            {
                return false;
            }

            _position++;
            return true;
        }

        public void Expect(char expected)
        {
            if (!TryTake(expected))
            {
                throw new FormatException($"Expected '{expected}' at {_position}.");
            }
        }

        public void SkipWhitespace()
        {
            while (Peek is ' ' or '\t')
            {
                _position++;
            }
        }

        public string Key()
        {
            if (!(Peek is >= 'a' and <= 'z' or '*'))
            {
                throw new FormatException($"A key cannot start with '{Peek}'.");
            }

            var start = _position;
            while (Peek is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.' or '*')
            {
                _position++;
            }

            return text[start.._position];
        }

        public SfInnerList InnerList()
        {
            Expect('(');
            var items = new List<SfItem>();
            while (true)
            {
                while (Peek == ' ')
                {
                    _position++;
                }

                if (TryTake(')'))
                {
                    return new SfInnerList(items, Parameters());
                }

                items.Add(Item());
                if (Peek is not (' ' or ')'))
                {
                    throw new FormatException("Inner list items are separated by spaces.");
                }
            }
        }

        public SfItem Item() => new(BareItem(), Parameters());

        public IReadOnlyList<KeyValuePair<string, object>> Parameters()
        {
            var parameters = new List<KeyValuePair<string, object>>();
            while (TryTake(';'))
            {
                while (Peek == ' ')
                {
                    _position++;
                }

                var key = Key();
                object value = TryTake('=') ? BareItem() : true;
                var existing = parameters.FindIndex(p => p.Key == key);
                if (existing >= 0)
                {
                    parameters[existing] = new(key, value);
                }
                else
                {
                    parameters.Add(new(key, value));
                }
            }

            return parameters;
        }

        private object BareItem() => Peek switch
        {
            '-' or (>= '0' and <= '9') => Integer(),
            '"' => QuotedString(),
            ':' => ByteSequence(),
            '?' => Boolean(),
            (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '*' => Token(),
            _ => throw new FormatException($"No bare item starts with '{Peek}'."),
        };

        private long Integer()
        {
            var start = _position;
            TryTake('-');
            while (Peek is >= '0' and <= '9')
            {
                _position++;
            }

            var digits = _position - start - (text[start] == '-' ? 1 : 0);
            if (digits is < 1 or > 15 || Peek == '.')
            {
                throw new FormatException("Integers have 1 to 15 digits; decimals are not supported.");
            }

            return long.Parse(text.AsSpan(start, _position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        private string QuotedString()
        {
            Expect('"');
            var value = new StringBuilder();
            while (!AtEnd)
            {
                var c = text[_position++];
                if (c == '\\')
                {
                    if (Peek is not ('"' or '\\'))
                    {
                        throw new FormatException("Only \\\" and \\\\ are escapes.");
                    }

                    value.Append(text[_position++]);
                }
                else if (c == '"')
                {
                    return value.ToString();
                }
                else if (c is < ' ' or > '~')
                {
                    throw new FormatException("Strings hold printable ASCII only.");
                }
                else
                {
                    value.Append(c);
                }
            }

            throw new FormatException("Unterminated string.");
        }

        private byte[] ByteSequence()
        {
            Expect(':');
            var end = text.IndexOf(':', _position);
            if (end < 0)
            {
                throw new FormatException("Unterminated byte sequence.");
            }

            var encoded = text[_position..end];
            _position = end + 1;
            return Convert.FromBase64String(encoded);
        }

        private bool Boolean()
        {
            Expect('?');
            if (TryTake('1'))
            {
                return true;
            }

            Expect('0');
            return false;
        }

        private SfToken Token()
        {
            var start = _position;
            _position++;
            while (Peek is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ':' or '/'
                   or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~')
            {
                _position++;
            }

            return new SfToken(text[start.._position]);
        }
    }
}
