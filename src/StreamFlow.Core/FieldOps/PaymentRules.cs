using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps;

/// <summary>
/// The rules of money received from a customer, on an invoice or a quote's deposit: a client-generated payment id, a
/// positive amount in the currency's minor units, a method, when it was received (not in the future) and a reference.
/// </summary>
public static class PaymentRules
{
    public static readonly string[] Methods = ["cash", "check", "card", "bank_transfer", "other"];

    /// <summary>How far ahead of the server's clock a payment's time may be (a phone's clock running fast).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public static Problem? Check(Guid? paymentId, long? amountMinor, string? method, DateTimeOffset? paidAt, string? reference, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        if (paymentId is null || paymentId == Guid.Empty)
        {
            errors.Add("paymentId", "is required: a UUID the client generates once per payment, so that a repeated request records it once.");
        }

        if (amountMinor is not { } amount || amount <= 0 || amount > 100_000_000_000_000)
        {
            errors.Add("amountMinor", "is required: a positive whole number of the currency's minor units (cents for USD).");
        }

        if (method is null || !Methods.Contains(method))
        {
            errors.Add("method", $"must be one of: {string.Join(", ", Methods)}.");
        }

        if (paidAt is null)
        {
            errors.Add("paidAt", "is required: when the money was received.");
        }
        else if (paidAt > now + MaxClockSkew)
        {
            errors.Add("paidAt", "is in the future.");
        }

        errors.MaxLength("reference", reference, 200);
        return errors.ToProblem();
    }

    public static string? Reference(string? reference) => string.IsNullOrWhiteSpace(reference) ? null : reference.Trim();
}
