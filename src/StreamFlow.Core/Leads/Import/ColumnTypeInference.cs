namespace StreamFlow.Core.Leads.Import;

/// <summary>
/// Infers one attribute column's type from all of its non-empty values: number if every value is a number
/// ("0" and "5" make a number column), else yes/no if every value is one, else date, else text.
/// </summary>
internal sealed class ColumnTypeInference
{
    private bool _allNumbers = true;
    private bool _allBooleans = true;
    private bool _allDates = true;
    private int _values;

    public void Observe(string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        _values++;
        _allNumbers = _allNumbers && AttributeValueParser.TryParseNumber(value, out _);
        _allBooleans = _allBooleans && AttributeValueParser.TryParseBoolean(value, out _);
        _allDates = _allDates && AttributeValueParser.TryParseDate(value, out _);
    }

    public AttributeKind Kind => _values == 0
        ? AttributeKind.Text
        : _allNumbers ? AttributeKind.Number
        : _allBooleans ? AttributeKind.Boolean
        : _allDates ? AttributeKind.Date
        : AttributeKind.Text;
}
