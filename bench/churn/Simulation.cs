namespace StreamFlow.Bench.Churn;

/// <summary>Why a simulated churner leaves; each story shows (or hides) different signals in the months before.</summary>
internal enum ChurnStory
{
    Disengages,
    PaymentTrouble,
    IntegrationBreaks,
    PoorResults,
    Sudden,
}

/// <summary>One simulated client business: its traits, and when and why it leaves (null: it stays).</summary>
internal sealed record SimulatedBusiness(
    Guid Id, int Index, string Industry, DateTimeOffset JoinedAt, int Seats, double LoginRate, double LeadsPerDay, double WinRate,
    double AiPerLead, bool HasConnection, decimal BaseFee, DateTimeOffset? ChurnAt, ChurnStory? Story,
    (int From, int To)? Dip, bool OwnerDelegates, int? DowngradeDay, int? OutageDay, bool LatePayer);

/// <summary>
/// The assumptions of the simulated history (docs/client-success.md repeats them). A year from <see cref="Start"/>;
/// 70 % of businesses were clients before it, 30 % join in its first half. About a quarter leave during the year, each
/// with one story: disengagement (40 %: sign-ins, leads worked, AI use fade over the last 90 days, the owner stops
/// signing in), payment trouble (20 %: invoices fail and go overdue, use fades a little), a broken integration (15 %:
/// syncs fail, leads arriving halve, people keep signing in), poor results (15 %: win rate halves, half of them
/// downgrade) or a sudden exit with no warning (10 %). Stayers are noisy too: 30 % have a seasonal dip of 30-45 days
/// at 35 % of their activity, 15 % have an owner who delegates and rarely signs in, 10 % have a sync outage of a few
/// days, 8 % pay late, 5 % downgrade.
/// </summary>
internal static class Simulation
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public const int Days = 365;
    private static readonly string[] Industries = ["hvac", "plumbing", "electrical", "roofing", "landscaping", "government_contractor"];

    public static List<SimulatedBusiness> Businesses(int count, Random random) => Enumerable.Range(0, count).Select(i =>
    {
        var joined = random.NextDouble() < 0.7 ? Start.AddDays(-random.Next(60, 1000)) : Start.AddDays(random.Next(0, 180));
        var churns = random.NextDouble() < 0.25;
        var joinedDay = (int)Math.Max(0, (joined - Start).TotalDays);
        DateTimeOffset? churnAt = churns ? Start.AddDays(random.Next(Math.Max(100, joinedDay + 45), Days)).AddHours(random.Next(8, 18)) : null;
        var roll = random.NextDouble();
        ChurnStory? story = churns
            ? roll switch { < 0.40 => ChurnStory.Disengages, < 0.60 => ChurnStory.PaymentTrouble, < 0.75 => ChurnStory.IntegrationBreaks, < 0.90 => ChurnStory.PoorResults, _ => ChurnStory.Sudden }
            : null;
        var dipStart = random.Next(0, Days - 45);
        var seats = 1 + (int)Math.Min(24, -Math.Log(1 - random.NextDouble()) * 5);
        return new SimulatedBusiness(
            SeededId(random), i, Industries[i % Industries.Length], joined, seats,
            LoginRate: 0.3 + random.NextDouble() * 0.6,
            LeadsPerDay: Math.Exp(random.NextDouble() * 2.5 - 0.7),
            WinRate: 0.15 + random.NextDouble() * 0.3,
            AiPerLead: random.NextDouble() * 1.5,
            HasConnection: story == ChurnStory.IntegrationBreaks || random.NextDouble() < 0.6,
            BaseFee: 100m + 50m * random.Next(0, 9),
            churnAt, story,
            Dip: !churns && random.NextDouble() < 0.3 ? ((int, int)?)(dipStart, dipStart + random.Next(30, 46)) : null,
            OwnerDelegates: !churns && random.NextDouble() < 0.15,
            DowngradeDay: story == ChurnStory.PoorResults && random.NextDouble() < 0.5 ? (int?)((int)(churnAt!.Value - Start).TotalDays - random.Next(40, 70))
                : !churns && random.NextDouble() < 0.05 ? random.Next(30, Days) : (int?)null,
            OutageDay: !churns && random.NextDouble() < 0.1 ? random.Next(0, Days - 7) : null,
            LatePayer: !churns && random.NextDouble() < 0.08);
    }).ToList();

    /// <summary>A GUID from the seeded generator, so every run writes the same history.</summary>
    public static Guid SeededId(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>How much of its usual activity the business shows on a day (1 = usual; 0 once it has left).</summary>
    public static double Engagement(SimulatedBusiness b, int day)
    {
        var at = Start.AddDays(day);
        if (at < b.JoinedAt || (b.ChurnAt is { } churn && at >= churn))
        {
            return 0;
        }

        var level = 1.0;
        if (b.Dip is { } dip && day >= dip.From && day < dip.To)
        {
            level *= 0.35;
        }

        if (b.ChurnAt is { } c)
        {
            var daysLeft = (c - at).TotalDays;
            level *= b.Story switch
            {
                ChurnStory.Disengages when daysLeft < 90 => 0.1 + 0.9 * daysLeft / 90,
                ChurnStory.PaymentTrouble when daysLeft < 90 => 0.6 + 0.4 * daysLeft / 90,
                ChurnStory.PoorResults when daysLeft < 90 => 0.8 + 0.2 * daysLeft / 90,
                _ => 1,
            };
        }

        return level;
    }

    public static double DaysLeft(SimulatedBusiness b, int day) => b.ChurnAt is { } c ? (c - Start.AddDays(day)).TotalDays : double.PositiveInfinity;
}
