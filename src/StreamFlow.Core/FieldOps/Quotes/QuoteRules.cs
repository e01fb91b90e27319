using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>What a quote must hold, each refusal naming its field, and the customer's choice of optional lines.</summary>
internal static class QuoteRules
{
    private const decimal MaxQuantity = 1_000_000m;
    private const decimal MaxUnitPrice = 100_000_000m;

    /// <summary>The quote's content as stored (ids, number and version left for the caller), priced; or a 400 naming every bad field.</summary>
    public static Result<StoredQuote> Validate(QuoteInput input)
    {
        var errors = new ValidationErrors();
        errors.Required("title", input.Title, 200).Required("customerName", input.CustomerName, 200).Required("serviceAddress", input.ServiceAddress, 500);
        errors.MaxLength("message", input.Message, 4000);
        if (input.CustomerEmail is { } customerEmail && !IsEmail(customerEmail))
        {
            errors.Add("customerEmail", "is not an email address.");
        }

        FieldOpsValidation.Location(errors, "location", input.Location, required: true);
        var currency = input.Currency?.Trim().ToUpperInvariant() ?? "";
        if (!Currencies.IsInvoiceable(currency))
        {
            errors.Add("currency", "is required: a three-letter ISO 4217 code with at most two decimals (USD, EUR, JPY...).");
        }

        if (input.TaxRate is { } rate && (rate < 0 || rate > 100))
        {
            errors.Add("taxRate", "is a percent from 0 to 100.");
        }

        var lines = Lines(input.Lines, errors);
        var deposit = 0m;
        if (input.Deposit is { } depositText && !TryAmount(depositText, out deposit))
        {
            errors.Add("deposit", "is a non-negative decimal amount, e.g. \"250.00\".");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var taxRate = input.TaxRate ?? 0m;
        var priced = QuoteMath.Price(lines, taxRate, currency);
        var depositMinor = QuoteMath.ToMinor(deposit, currency);
        if (depositMinor > priced.TotalMinor)
        {
            return Problem.Validation("deposit", "is more than the quote's total.");
        }

        return new StoredQuote
        {
            Title = input.Title!.Trim(), CustomerName = input.CustomerName!.Trim(), CustomerEmail = input.CustomerEmail?.Trim(),
            ServiceAddress = input.ServiceAddress!.Trim(), Latitude = input.Location!.Latitude!.Value, Longitude = input.Location.Longitude!.Value,
            Currency = currency, Lines = JsonSerializer.Serialize(lines, StreamFlowJson.Options), TaxRate = taxRate,
            SubtotalMinor = priced.SubtotalMinor, TaxMinor = priced.TaxMinor, TotalMinor = priced.TotalMinor, DepositMinor = depositMinor,
            Message = string.IsNullOrWhiteSpace(input.Message) ? null : input.Message.Trim(), ValidUntil = input.ValidUntil,
        };
    }

    /// <summary>The lines with the customer's choice: the listed optional lines selected, every other optional line not.</summary>
    public static Result<List<StoredQuoteLine>> ChooseOptional(IReadOnlyList<StoredQuoteLine> lines, IReadOnlyList<int>? selected)
    {
        var chosen = new HashSet<int>();
        var errors = new ValidationErrors();
        foreach (var (index, position) in (selected ?? []).Select((index, position) => (index, position)))
        {
            if (index < 0 || index >= lines.Count || !lines[index].Optional)
            {
                errors.Add($"selectedOptionalLines[{position}]", $"is not an optional line of this quote (line {index}).");
            }

            chosen.Add(index);
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return lines.Select((line, index) => line.Optional ? line with { Selected = chosen.Contains(index) } : line).ToList();
    }

    public static bool IsEmail(string value) =>
        value.Length <= 320 && MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim() && address.Host.Contains('.');

    private static List<StoredQuoteLine> Lines(IReadOnlyList<QuoteLineInput>? input, ValidationErrors errors)
    {
        if (input is not { Count: > 0 })
        {
            errors.Add("lines", "needs at least one line.");
            return [];
        }

        if (input.Count > QuoteService.MaxLines)
        {
            errors.Add("lines", $"has at most {QuoteService.MaxLines} lines.");
            return [];
        }

        var lines = new List<StoredQuoteLine>();
        for (var i = 0; i < input.Count; i++)
        {
            var line = input[i];
            var field = $"lines[{i}]";
            errors.Required($"{field}.description", line.Description, 500);
            if (line.Quantity is not { } quantity || quantity <= 0 || quantity > MaxQuantity || decimal.Round(quantity, 3) != quantity)
            {
                errors.Add($"{field}.quantity", "is required: more than 0, at most 1,000,000, at most three decimals.");
            }

            if (line.UnitPrice is not { } priceText || !TryAmount(priceText, out var price) || price > MaxUnitPrice)
            {
                errors.Add($"{field}.unitPrice", "is required: a non-negative decimal amount with at most two decimals, e.g. \"149.50\".");
                continue;
            }

            var optional = line.Optional ?? false;
            lines.Add(new StoredQuoteLine(line.Description?.Trim() ?? "", line.Quantity ?? 0, price, optional, optional && (line.Selected ?? false), line.Taxable ?? true));
        }

        return lines;
    }

    private static bool TryAmount(string text, out decimal amount) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)
        && amount >= 0 && decimal.Round(amount, 2) == amount;
}
