namespace StreamFlow.Core.Backups;

/// <summary>
/// Counts the tuples of a PostgreSQL binary COPY stream as it passes by, in pieces of any size, so that a table's row
/// count comes from the same single scan as its data.
/// </summary>
internal sealed class CopyBinaryRowCounter
{
    // "PGCOPY\n\xff\r\n\0"
    private static ReadOnlySpan<byte> Signature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];

    private enum State
    {
        Signature,
        Flags,
        ExtensionLength,
        ExtensionBytes,
        FieldCount,
        FieldLength,
        FieldBytes,
        Done,
    }

    private State _state = State.Signature;
    private int _needed = Signature.Length;
    private int _accumulator;
    private int _fieldsLeft;
    private long _skip;

    public long Rows { get; private set; }

    /// <summary>True once the trailer (field count -1) has been seen.</summary>
    public bool Completed => _state == State.Done;

    public void Feed(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            switch (_state)
            {
                case State.Signature:
                    var index = Signature.Length - _needed;
                    if (data[position] != Signature[index])
                    {
                        throw new InvalidDataException("The COPY payload does not start with the binary COPY signature.");
                    }

                    position++;
                    if (--_needed == 0)
                    {
                        Expect(State.Flags, 4);
                    }

                    break;
                case State.ExtensionBytes:
                case State.FieldBytes:
                    var take = (int)Math.Min(_skip, data.Length - position);
                    position += take;
                    _skip -= take;
                    if (_skip == 0)
                    {
                        AfterSkip();
                    }

                    break;
                case State.Done:
                    throw new InvalidDataException("The COPY payload continues after its trailer.");
                default:
                    _accumulator = (_accumulator << 8) | data[position++];
                    if (--_needed == 0)
                    {
                        OnInteger();
                    }

                    break;
            }
        }
    }

    private void Expect(State state, int bytes)
    {
        _state = state;
        _needed = bytes;
        _accumulator = 0;
    }

    private void OnInteger()
    {
        switch (_state)
        {
            case State.Flags:
                Expect(State.ExtensionLength, 4);
                break;
            case State.ExtensionLength:
                StartSkip(State.ExtensionBytes, _accumulator);
                break;
            case State.FieldCount:
                var fields = (short)_accumulator;
                if (fields == -1)
                {
                    _state = State.Done;
                }
                else if (fields < 0)
                {
                    throw new InvalidDataException($"The COPY payload has a tuple with {fields} fields.");
                }
                else
                {
                    Rows++;
                    _fieldsLeft = fields;
                    NextField();
                }

                break;
            case State.FieldLength:
                _fieldsLeft--;
                if (_accumulator == -1)
                {
                    NextField();
                }
                else if (_accumulator < 0)
                {
                    throw new InvalidDataException($"The COPY payload has a field of length {_accumulator}.");
                }
                else
                {
                    StartSkip(State.FieldBytes, _accumulator);
                }

                break;
        }
    }

    private void StartSkip(State state, long bytes)
    {
        _state = state;
        _skip = bytes;
        if (bytes == 0)
        {
            AfterSkip();
        }
    }

    private void AfterSkip()
    {
        if (_state == State.ExtensionBytes)
        {
            Expect(State.FieldCount, 2);
        }
        else
        {
            NextField();
        }
    }

    private void NextField()
    {
        if (_fieldsLeft > 0)
        {
            Expect(State.FieldLength, 4);
        }
        else
        {
            Expect(State.FieldCount, 2);
        }
    }
}
