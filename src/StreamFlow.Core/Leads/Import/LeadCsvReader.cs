using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using CsvHelper;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Leads.Import;

/// <summary>
/// Reads a lead CSV (RFC 4180, UTF-8, header row first) as a stream. Known headers map onto lead fields; the
/// external-id and outcome columns named in the options are read as such; every other column becomes a typed
/// attribute whose type is inferred from all of the column's values in the good rows. A bad row (broken quoting,
/// bytes that are not UTF-8, a field over the length limit, the wrong number of fields, an invalid email, phone or
/// outcome, a missing or repeated external id) becomes an <see cref="ImportRowError"/> and the other rows are kept.
/// Problems with the file as a whole (no header, a missing named column, too many rows or bytes) are a
/// <see cref="Problem"/>.
/// </summary>
public sealed partial class LeadCsvReader
{
    /// <summary>
    /// Reads <paramref name="csv"/> to its end; the caller owns and disposes the stream. The bytes are held in memory
    /// (at most <see cref="LeadCsvImportOptions.MaxBytes"/>) so that a record broken by a stray quote can be read
    /// again from its next line; records are then parsed one at a time, in place.
    /// </summary>
    public async Task<Result<LeadCsvImport>> ReadAsync(Stream csv, LeadCsvImportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(options);
        var input = await ReadAllAsync(csv, options.MaxBytes, cancellationToken).ConfigureAwait(false);
        if (input is not { } bytes)
        {
            return new Problem(
                ProblemKind.PayloadTooLarge,
                $"The file is larger than {(options.MaxBytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture)} MB; split it into smaller files.");
        }

        return Parse(bytes, options, cancellationToken);
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadAllAsync(Stream csv, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await csv.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static Result<LeadCsvImport> Parse(ReadOnlyMemory<byte> input, LeadCsvImportOptions options, CancellationToken cancellationToken)
    {
        CsvMalformedRecord? malformed = null;
        var readerOptions = CsvReaderOptions.Default with
        {
            Separator = options.Separator,
            PoolStrings = true,
            OnMalformedRecord = record => malformed ??= record,
        };

        var reader = CsvReader.Create(input, readerOptions);
        var readerStart = 0;
        try
        {
            reader.ReadHeader();
            var plan = ColumnPlan.Create(reader.Headers, options);
            if (!plan.Succeeded)
            {
                return plan.Problem;
            }

            var rows = new RowCollector(plan.Value, options);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                malformed = null;
                if (!reader.Read())
                {
                    break;
                }

                if (rows.Count == options.MaxRows)
                {
                    return new Problem(
                        ProblemKind.PayloadTooLarge,
                        $"The file has more than {options.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} rows; split it into smaller files.");
                }

                var broken = malformed is not null || reader.FieldCount != plan.Value.Columns.Count;
                if (broken && FirstLineLength(reader.RawRecord) is { } firstLine)
                {
                    // A bad quote made this record run over several lines, taking the next rows with it. Report the
                    // line it started on and read again from the line after, so that only that row is lost.
                    rows.Reject(malformed?.Reason == CsvMalformedReason.UnterminatedQuote
                        ? "a quoted field is never closed (an opening quote without its closing quote)"
                        : "broken quoting: a quoted field runs over several lines and the row does not fit the header");
                    readerStart += (int)reader.ByteOffset + firstLine;
                    reader.Dispose();
                    reader = CsvReader.Create(input[readerStart..], readerOptions with { HasHeader = false });
                    continue;
                }

                rows.Accept(reader, malformed?.Reason);
            }

            return rows.Complete();
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>The length of the record's first line including its line break, or null when it has one line only.</summary>
    private static int? FirstLineLength(ReadOnlySpan<byte> raw)
    {
        var lineBreak = raw.IndexOfAny((byte)'\n', (byte)'\r');
        if (lineBreak < 0)
        {
            return null;
        }

        var next = lineBreak + 1;
        return raw[lineBreak] == (byte)'\r' && next < raw.Length && raw[next] == (byte)'\n' ? next + 1 : next;
    }

    [GeneratedRegex(@"^[^@\s""<>,;]+@[^@\s""<>,;]+\.[^@\s""<>,;.]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"^\+?[0-9 ().\-/]+((x|ext\.?)\s*[0-9]{1,6})?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PhoneNumber();

    internal static bool IsEmail(string value) => value.Length <= 254 && EmailAddress().IsMatch(value);

    internal static bool IsPhone(string value)
    {
        if (!PhoneNumber().IsMatch(value))
        {
            return false;
        }

        var extension = value.IndexOfAny(['x', 'X', 'e', 'E']);
        var digits = (extension < 0 ? value : value[..extension]).Count(char.IsAsciiDigit);
        return digits is >= 7 and <= 15;
    }

    internal static bool TryParseOutcome(string value, out ImportedOutcome outcome)
    {
        switch (value.ToLowerInvariant())
        {
            case "1" or "yes" or "true" or "won" or "converted":
                outcome = ImportedOutcome.Won;
                return true;
            case "0" or "no" or "false" or "lost" or "not converted" or "unconverted":
                outcome = ImportedOutcome.Lost;
                return true;
            default:
                outcome = default;
                return false;
        }
    }

    /// <summary>What each column of the file is read as.</summary>
    private sealed record ColumnPlan(IReadOnlyList<ImportedColumn> Columns)
    {
        public static Result<ColumnPlan> Create(IReadOnlyList<string> headers, LeadCsvImportOptions options)
        {
            if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
            {
                return Problem.Validation("csv", "The file is empty: the first line must be a header row naming the columns.");
            }

            var errors = new ValidationErrors();
            var names = headers.Select((h, i) => string.IsNullOrWhiteSpace(h) ? $"Column {i + 1}" : h.Trim()).ToArray();
            if (names.Any(n => n.Contains('\uFFFD', StringComparison.Ordinal)))
            {
                errors.Add("csv", "The header row contains bytes that are not valid UTF-8; save the file as UTF-8.");
            }

            foreach (var duplicate in names.GroupBy(LeadFieldHeaders.Normalize).Where(g => g.Count() > 1))
            {
                errors.Add("csv", $"The header names the column '{duplicate.First()}' more than once.");
            }

            var externalId = FindColumn(names, options.ExternalIdColumn, "externalIdColumn", errors);
            var outcome = FindColumn(names, options.OutcomeColumn, "outcomeColumn", errors);
            if (externalId is not null && externalId == outcome)
            {
                errors.Add("outcomeColumn", "must name a different column from externalIdColumn.");
            }

            if (errors.ToProblem() is { } problem)
            {
                return problem;
            }

            var mapped = new HashSet<LeadField>();
            var columns = new ImportedColumn[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                var field = LeadFieldHeaders.Match(names[i]);
                columns[i] = i == externalId ? new ImportedColumn(names[i], ImportedColumnRole.ExternalId, null, null)
                    : i == outcome ? new ImportedColumn(names[i], ImportedColumnRole.Outcome, null, null)
                    : field is { } f && mapped.Add(f) ? new ImportedColumn(names[i], ImportedColumnRole.Field, f, null)
                    : new ImportedColumn(names[i], ImportedColumnRole.Attribute, null, null);
            }

            return new ColumnPlan(columns);
        }

        private static int? FindColumn(string[] names, string? wanted, string option, ValidationErrors errors)
        {
            if (string.IsNullOrWhiteSpace(wanted))
            {
                return null;
            }

            var key = LeadFieldHeaders.Normalize(wanted);
            var index = Array.FindIndex(names, n => LeadFieldHeaders.Normalize(n) == key);
            if (index < 0)
            {
                errors.Add(option, $"The header has no column named '{wanted.Trim()}'.");
                return null;
            }

            return index;
        }
    }

    /// <summary>Validates rows as they are read, keeps the good ones' values, and builds the import at the end.</summary>
    private sealed class RowCollector(ColumnPlan plan, LeadCsvImportOptions options)
    {
        private readonly IReadOnlyList<ImportedColumn> _columns = plan.Columns;
        private readonly List<(int Row, string?[] Values)> _good = [];
        private readonly List<ImportRowError> _errors = [];

        public int Count { get; private set; }

        public void Reject(string reason)
        {
            Count++;
            AddError(reason);
        }

        public void Accept(CsvReader reader, CsvMalformedReason? malformed)
        {
            Count++;
            var problems = new List<string>();
            if (malformed is { } reason)
            {
                problems.Add(reason switch
                {
                    CsvMalformedReason.StrayQuote => "a quote inside an unquoted field (quote the whole field and double the quote)",
                    CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a quoted field",
                    _ => "malformed quoting",
                });
            }

            if (reader.FieldCount != _columns.Count)
            {
                problems.Add($"it has {reader.FieldCount} fields but the header has {_columns.Count}");
                AddError(string.Join("; ", problems));
                return;
            }

            var values = new string?[_columns.Count];
            var invalidUtf8 = new List<string>();
            for (var i = 0; i < _columns.Count; i++)
            {
                if (!Utf8.IsValid(reader.GetSpan(i)))
                {
                    invalidUtf8.Add(_columns[i].Header);
                    continue;
                }

                var value = reader.GetString(i).Trim();
                values[i] = value.Length == 0 ? null : value;
            }

            if (invalidUtf8.Count > 0)
            {
                problems.Add($"{Quoted(invalidUtf8)} contain{(invalidUtf8.Count == 1 ? "s" : "")} bytes that are not valid UTF-8");
            }

            if (problems.Count == 0 && values.All(v => v is null))
            {
                return; // A row of empty cells (",,,"), as spreadsheets export after the data: nothing to import.
            }

            for (var i = 0; i < _columns.Count; i++)
            {
                if (values[i] is { } value)
                {
                    CheckValue(_columns[i], value, problems);
                }
                else if (_columns[i].Role == ImportedColumnRole.ExternalId && !invalidUtf8.Contains(_columns[i].Header))
                {
                    problems.Add($"'{_columns[i].Header}' (the external id) is empty");
                }
            }

            if (problems.Count > 0)
            {
                AddError(string.Join("; ", problems));
                return;
            }

            _good.Add((Count, values));
        }

        private void AddError(string reason) => _errors.Add(new ImportRowError(Count, Capitalize(reason) + "."));

        private void CheckValue(ImportedColumn column, string value, List<string> problems)
        {
            if (value.Length > options.MaxFieldLength)
            {
                problems.Add($"'{column.Header}' is longer than {options.MaxFieldLength.ToString("N0", CultureInfo.InvariantCulture)} characters");
                return;
            }

            switch (column)
            {
                case { Role: ImportedColumnRole.Outcome } when !TryParseOutcome(value, out _):
                    problems.Add($"'{column.Header}' is not an outcome (use 1/0, yes/no, true/false, won/lost or converted)");
                    break;
                case { Field: LeadField.Email } when !IsEmail(value):
                    problems.Add($"'{column.Header}' is not a valid email address");
                    break;
                case { Field: LeadField.Phone } when !IsPhone(value):
                    problems.Add($"'{column.Header}' is not a valid phone number (7 to 15 digits)");
                    break;
            }
        }

        public Result<LeadCsvImport> Complete()
        {
            var externalId = IndexOf(ImportedColumnRole.ExternalId);
            if (externalId >= 0)
            {
                RejectRepeatedExternalIds(externalId);
            }

            var kinds = new AttributeKind?[_columns.Count];
            for (var i = 0; i < _columns.Count; i++)
            {
                if (_columns[i].Role == ImportedColumnRole.Attribute)
                {
                    var inference = new ColumnTypeInference();
                    foreach (var (_, values) in _good)
                    {
                        inference.Observe(values[i] ?? "");
                    }

                    kinds[i] = inference.Kind;
                }
            }

            var columns = _columns.Select((c, i) => c with { Kind = kinds[i] }).ToArray();
            // Leads share one value object per distinct cell of a column: imports repeat values a lot.
            var parsed = columns.Select(_ => new Dictionary<string, AttributeValue>(StringComparer.Ordinal)).ToArray();
            var leads = _good.Select(g => ToLead(g.Row, g.Values, columns, parsed)).ToArray();
            _errors.Sort((a, b) => a.Row.CompareTo(b.Row));
            return new LeadCsvImport(Count, columns, leads, _errors.ToArray());
        }

        private void RejectRepeatedExternalIds(int column)
        {
            var firstRows = new Dictionary<string, int>(StringComparer.Ordinal);
            _good.RemoveAll(row =>
            {
                var id = row.Values[column]!;
                if (firstRows.TryAdd(id, row.Row))
                {
                    return false;
                }

                _errors.Add(new ImportRowError(
                    row.Row,
                    $"'{_columns[column].Header}' repeats the external id of row {firstRows[id]}; the row was not imported."));
                return true;
            });
        }

        private int IndexOf(ImportedColumnRole role)
        {
            for (var i = 0; i < _columns.Count; i++)
            {
                if (_columns[i].Role == role)
                {
                    return i;
                }
            }

            return -1;
        }

        private static ImportedLead ToLead(int row, string?[] values, ImportedColumn[] columns, Dictionary<string, AttributeValue>[] parsedValues)
        {
            string? externalId = null;
            ImportedOutcome? outcome = null;
            var fields = new Dictionary<LeadField, string>();
            var attributes = new Dictionary<string, AttributeValue>(values.Count(v => v is not null), StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
            {
                if (values[i] is not { } value)
                {
                    continue;
                }

                var column = columns[i];
                switch (column.Role)
                {
                    case ImportedColumnRole.ExternalId:
                        externalId = value;
                        break;
                    case ImportedColumnRole.Outcome:
                        outcome = TryParseOutcome(value, out var parsed) ? parsed : null;
                        break;
                    case ImportedColumnRole.Field:
                        fields[column.Field!.Value] = value;
                        break;
                    default:
                        if (!parsedValues[i].TryGetValue(value, out var attribute))
                        {
                            attribute = AttributeValueParser.Parse(value, column.Kind!.Value);
                            parsedValues[i][value] = attribute;
                        }

                        attributes[column.Header] = attribute;
                        break;
                }
            }

            return new ImportedLead(
                row,
                externalId,
                fields.GetValueOrDefault(LeadField.FirstName),
                fields.GetValueOrDefault(LeadField.LastName),
                fields.GetValueOrDefault(LeadField.FullName),
                fields.GetValueOrDefault(LeadField.Company),
                fields.GetValueOrDefault(LeadField.Email),
                fields.GetValueOrDefault(LeadField.Phone),
                fields.GetValueOrDefault(LeadField.Source),
                fields.GetValueOrDefault(LeadField.Notes),
                fields.GetValueOrDefault(LeadField.Address),
                fields.GetValueOrDefault(LeadField.City),
                fields.GetValueOrDefault(LeadField.State),
                fields.GetValueOrDefault(LeadField.PostalCode),
                fields.GetValueOrDefault(LeadField.Country),
                outcome,
                attributes);
        }

        private static string Quoted(List<string> headers) => string.Join(", ", headers.Select(h => $"'{h}'"));

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    }
}
