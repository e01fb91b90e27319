using System.Globalization;

namespace StreamFlow.Core.Billing.Payments;

/// <summary>Reminders for overdue invoices and the provider's alert (section <c>Billing:Dunning</c>).</summary>
public sealed class DunningOptions
{
    public const string Section = "Billing:Dunning";

    /// <summary>Days after the due date on which the owner is reminded, comma-separated; each is sent once.</summary>
    public string ReminderDays { get; set; } = "1,7,14";

    /// <summary>Days after the due date when the provider is alerted (once per invoice) and may suspend the client.</summary>
    public int AlertAfterDays { get; set; } = 30;

    /// <summary>Where provider alerts go; STREAMFLOW_PROVIDER_EMAIL when empty.</summary>
    public string? ProviderEmail { get; set; }

    /// <summary>Whether our reminders go out also for invoices Stripe collects (Stripe sends its own as well).</summary>
    public bool RemindWhenStripeCollects { get; set; } = true;

    public IReadOnlyList<int> ReminderDayList() =>
        ReminderDays.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(day => int.Parse(day, NumberStyles.None, CultureInfo.InvariantCulture))
            .Where(day => day > 0)
            .Distinct()
            .Order()
            .ToList();
}
