using System.Globalization;
using System.Text;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// The deterministic judgement: a summary written from the facts, a recommendation from rules a bid manager would
/// apply first (deadline passed or too close, how similar work went, value against the usual price range, set-aside
/// eligibility to confirm), and the price range of the tenant's similar won work. Public for bench/rfps.
/// </summary>
public static class RfpLocalAssessment
{
    public const string Method = "local";
    private const int MinimumDaysToRespond = 5;

    public static RfpAssessment Assess(RfpFacts facts, RfpPricingHistory history, DateTimeOffset now, string? fallbackReason) =>
        new(Method, fallbackReason, null, Summary(facts), Recommend(facts, history, now), Price(facts, history));

    internal static string Summary(RfpFacts facts)
    {
        var text = new StringBuilder();
        text.Append(facts.Title?.Value ?? "Untitled solicitation");
        if (facts.SolicitationNumber is { } number)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({number.Value})");
        }

        if (facts.Agency is { } agency)
        {
            text.Append(CultureInfo.InvariantCulture, $", issued by {agency.Value}");
        }

        text.Append('.');
        if (facts.NaicsCodes.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" NAICS {string.Join(", ", facts.NaicsCodes.Select(c => c.Value))}.");
        }

        if (facts.SetAside is { } setAside)
        {
            text.Append(CultureInfo.InvariantCulture, $" Set-aside: {setAside.Value.Text}.");
        }

        if (facts.ResponseDue is { } due)
        {
            text.Append(CultureInfo.InvariantCulture, $" Offers due {Describe(due.Value)}.");
        }

        if (facts.QuestionsDue is { } questions)
        {
            text.Append(CultureInfo.InvariantCulture, $" Questions due {Describe(questions.Value)}.");
        }

        if (facts.PlaceOfPerformance is { } place)
        {
            text.Append(CultureInfo.InvariantCulture, $" Place of performance: {place.Value}.");
        }

        if (facts.StatedValue is { } value)
        {
            text.Append(CultureInfo.InvariantCulture, $" Stated value: {Describe(value.Value)}.");
        }

        if (facts.EvaluationBasis is { } basis)
        {
            text.Append(CultureInfo.InvariantCulture, $" Award basis: {basis.Value}.");
        }

        if (facts.EvaluationCriteria.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" Evaluation factors: {string.Join("; ", facts.EvaluationCriteria.Select(f => f.Value.Weight is null ? f.Value.Name : $"{f.Value.Name} ({f.Value.Weight})"))}.");
        }

        text.Append(CultureInfo.InvariantCulture, $" {facts.RequirementsFound} requirement statements (shall/must).");
        return text.ToString();
    }

    internal static RfpRecommendation Recommend(RfpFacts facts, RfpPricingHistory history, DateTimeOffset now)
    {
        var against = new List<string>();
        var infavour = new List<string>();
        var notes = new List<string>();
        var blocked = false;

        if (facts.ResponseDue?.Value is { } due)
        {
            var deadline = due.Utc ?? new DateTimeOffset(due.Date.ToDateTime(new TimeOnly(23, 59)), TimeSpan.Zero);
            var days = (deadline - now).TotalDays;
            if (days < 0)
            {
                blocked = true;
                against.Add($"The response deadline ({Describe(due)}) has passed.");
            }
            else if (days < MinimumDaysToRespond)
            {
                against.Add(string.Create(CultureInfo.InvariantCulture, $"Only {Math.Floor(days):0} day(s) remain until offers are due ({Describe(due)})."));
            }
            else
            {
                infavour.Add(string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(days):0} days remain to prepare the offer."));
            }
        }
        else
        {
            notes.Add("No response deadline was found: confirm it in the document.");
        }

        if (history.Basis == "similar" || history.MatchedOn.Count > 0)
        {
            var decided = history.Won + history.Lost;
            if (decided >= 3 && history.WinRate is { } rate)
            {
                (rate >= 0.4 ? infavour : rate < 0.2 ? against : notes).Add(string.Create(CultureInfo.InvariantCulture,
                    $"Similar past work: {history.Won} won, {history.Lost} lost ({rate:P0} win rate)."));
            }
            else if (decided > 0)
            {
                notes.Add($"Little similar past work to judge by ({history.Won} won, {history.Lost} lost).");
            }
            else
            {
                notes.Add("No similar past work in your history.");
            }
        }

        if (facts.StatedValue?.Value is { } value && history.UpperQuartile is { } upper && history.LowerQuartile is { } lower)
        {
            var maximum = Amount(value.Maximum);
            if (maximum > Amount(upper) * 5)
            {
                against.Add($"The stated value ({Describe(value)}) is far above the work you usually win ({lower.Amount}–{upper.Amount} USD).");
            }
            else if (maximum < Amount(lower) / 2)
            {
                against.Add($"The stated value ({Describe(value)}) is far below the work you usually win ({lower.Amount}–{upper.Amount} USD).");
            }
            else
            {
                infavour.Add($"The stated value ({Describe(value)}) fits the size of work you win.");
            }
        }

        if (facts.SetAside?.Value is { Kind: not RfpSetAsideKind.Unrestricted } setAside)
        {
            notes.Add($"Set aside ({setAside.Text}): confirm your eligibility.");
        }

        var decision = blocked ? RfpDecision.NoBid
            : infavour.Count > against.Count && against.Count == 0 ? RfpDecision.Bid
            : against.Count > infavour.Count ? RfpDecision.NoBid
            : RfpDecision.Review;
        return new RfpRecommendation(decision, null, [.. against, .. infavour, .. notes]);
    }

    internal static RfpPricingGuidance Price(RfpFacts facts, RfpPricingHistory history)
    {
        if (history.LowerQuartile is not { } low || history.UpperQuartile is not { } high)
        {
            return new RfpPricingGuidance(null, null, "No won work with amounts in your history yet: there is no price range to draw from.", history);
        }

        var basis = history.Basis == "similar"
            ? $"the middle half of your {history.Won} similar won jobs (matched on {string.Join(", ", history.MatchedOn)})"
            : "the middle half of all your won work (no similar won work with an amount)";
        var rationale = $"Priced from {basis}: {low.Amount}–{high.Amount} USD, median {history.Median?.Amount ?? "n/a"} USD.";
        if (facts.StatedValue?.Value is { Kind: RfpValueKind.Ceiling } ceiling && Amount(ceiling.Maximum) < Amount(high))
        {
            high = ceiling.Maximum;
            low = Amount(low) > Amount(high) ? high : low;
            rationale += $" Capped at the stated ceiling of {ceiling.Maximum.Amount} USD.";
        }

        return new RfpPricingGuidance(low, high, rationale, history);
    }

    internal static string Describe(RfpDeadline deadline)
    {
        var text = deadline.Date.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);
        if (deadline.Time is { } time)
        {
            text += " " + time.ToString("h:mm tt", CultureInfo.InvariantCulture);
        }

        return deadline.TimeZone is { } zone ? $"{text} {zone}" : text;
    }

    internal static string Describe(RfpStatedValue value) => value.Kind switch
    {
        RfpValueKind.Range => $"{value.Minimum.Amount}–{value.Maximum.Amount} USD",
        RfpValueKind.Ceiling => $"not to exceed {value.Maximum.Amount} USD",
        _ => $"about {value.Maximum.Amount} USD",
    };

    private static decimal Amount(Money money) => decimal.Parse(money.Amount, CultureInfo.InvariantCulture);
}
