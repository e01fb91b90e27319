using StreamFlow.Core.ClientSuccess;

namespace StreamFlow.UnitTests.ClientSuccess;

public sealed class ChurnModelTests
{
    private static readonly ChurnSignals Steady = new()
    {
        TenantName = "Steady", TenantAgeDays = 400, LoginsRecent = 60, LoginsPrior = 120, ActiveUsersRecent = 5, ActiveUsersPrior = 5, Seats = 5,
        OwnerIdleDays = 1, LeadsRecent = 90, LeadsPrior = 180, WonRecent = 10, DecidedRecent = 30, WonPrior = 20, DecidedPrior = 60,
        StageChangesRecent = 100, StageChangesPrior = 200, AiCallsRecent = 50, AiCallsPrior = 100, BaseFeeNow = 300, BaseFeeBefore = 300,
        LoginsEarly = 60, LeadsEarly = 90, StageChangesEarly = 100, AiCallsEarly = 50,
    };

    [Fact]
    public void Auc_is_the_chance_a_churner_outscores_a_stayer_with_ties_counting_half()
    {
        Assert.Equal(1.0, ChurnEvaluation.Auc([(0.9, true), (0.2, false), (0.1, false)]));
        Assert.Equal(0.0, ChurnEvaluation.Auc([(0.1, true), (0.2, false), (0.9, false)]));
        Assert.Equal(0.75, ChurnEvaluation.Auc([(0.5, true), (0.5, false), (0.1, false)]));
    }

    [Fact]
    public void Precision_at_top_counts_churners_among_the_highest_scores_rounding_the_share_up()
    {
        var scored = Enumerable.Range(0, 20).Select(i => ((double)i, i is 19 or 17)).ToList();

        Assert.Equal(0.5, ChurnEvaluation.PrecisionAtTop(scored, 0.1));
        Assert.Equal(2.0 / 3, ChurnEvaluation.PrecisionAtTop(scored, 0.11), 6);
    }

    [Fact]
    public void Fitting_gives_a_positive_weight_to_the_factor_that_separates_churners()
    {
        var random = new Random(7);
        var examples = Enumerable.Range(0, 400).Select(_ =>
        {
            var churned = random.NextDouble() < 0.2;
            var values = Enumerable.Range(0, ChurnFactors.All.Count).Select(_ => random.NextDouble()).ToArray();
            values[Index("overdueInvoices")] = churned ? 1 + random.NextDouble() : random.NextDouble();
            return new ChurnExample(values, churned);
        }).ToList();

        var model = ChurnModelTrainer.Fit(examples, "test", "test", 60);

        var strongest = model.Weights.Select((w, i) => (w, i)).MaxBy(p => Math.Abs(p.w));
        Assert.Equal(Index("overdueInvoices"), strongest.i);
        Assert.True(strongest.w > 0);
    }

    [Fact]
    public void A_monotone_factor_that_goes_with_staying_gets_no_weight_rather_than_a_negative_one()
    {
        var random = new Random(11);
        var examples = Enumerable.Range(0, 400).Select(_ =>
        {
            var churned = random.NextDouble() < 0.2;
            var values = Enumerable.Range(0, ChurnFactors.All.Count).Select(_ => random.NextDouble()).ToArray();
            values[Index("leadDrop")] = churned ? random.NextDouble() : 1 + random.NextDouble();
            values[Index("tenure")] = churned ? random.NextDouble() : 1 + random.NextDouble();
            return new ChurnExample(values, churned);
        }).ToList();

        var model = ChurnModelTrainer.Fit(examples, "test", "test", 60);

        Assert.Equal(0, model.Weights[Index("leadDrop")]);
        Assert.True(model.Weights[Index("tenure")] < -0.5, $"tenure weight {model.Weights[Index("tenure")]}");
    }

    [Fact]
    public void Factors_measure_drops_as_positive_and_a_flat_business_as_zero()
    {
        var halved = Steady with { LoginsRecent = 30 };

        Assert.Equal(0, ChurnFactors.All[Index("loginDrop")].Measure(Steady), 6);
        Assert.Equal(-Math.Log(31.0 / 61), ChurnFactors.All[Index("loginDrop")].Measure(halved), 6);
        Assert.Equal(0.5, ChurnFactors.All[Index("planDowngrade")].Measure(Steady with { BaseFeeNow = 150 }), 6);
        Assert.Equal(0, ChurnFactors.All[Index("planDowngrade")].Measure(Steady with { BaseFeeNow = 600 }), 6);
    }

    [Fact]
    public void Owner_away_while_sign_ins_fall_needs_both_the_owner_away_and_the_team_signing_in_less()
    {
        var factor = ChurnFactors.All[Index("ownerAwayWhileSignInsFall")];

        Assert.Equal(0, factor.Measure(Steady with { OwnerIdleDays = 0, LoginsRecent = 30 }), 6);
        Assert.Equal(0, factor.Measure(Steady with { OwnerIdleDays = 60, LoginsRecent = 90 }), 6);
        Assert.Equal(2 * -Math.Log(31.0 / 61), factor.Measure(Steady with { OwnerIdleDays = 60, LoginsRecent = 30 }), 6);
    }

    [Fact]
    public void A_fade_over_three_months_counts_and_a_one_month_dip_does_not()
    {
        var usageFade = ChurnFactors.All[Index("usageFade")];
        var loginFade = ChurnFactors.All[Index("loginFade")];
        // Usage per window (sign-ins + stage changes + AI calls): 210 three months ago, 140 two, 70 last month.
        var fading = Steady with
        {
            LoginsEarly = 60, LoginsPrior = 100, LoginsRecent = 20, StageChangesEarly = 100, StageChangesPrior = 165, StageChangesRecent = 35,
            AiCallsEarly = 50, AiCallsPrior = 85, AiCallsRecent = 15,
        };
        // A dip the month before last, then back: down then up is no fade.
        var dipped = Steady with { LoginsEarly = 60, LoginsPrior = 80, LoginsRecent = 60 };
        // A dip last month only: one fall, not two.
        var dippingNow = Steady with { LoginsRecent = 20 };

        Assert.Equal(0, usageFade.Measure(Steady), 6);
        Assert.Equal(Math.Min(-Math.Log(71.0 / 141), -Math.Log(141.0 / 211)), usageFade.Measure(fading), 6);
        Assert.Equal(-Math.Log(41.0 / 61), loginFade.Measure(fading), 6);
        Assert.Equal(0, loginFade.Measure(dipped), 6);
        Assert.Equal(0, loginFade.Measure(dippingNow), 6);
        Assert.Equal(-Math.Log(141.0 / 211), ChurnFactors.All[Index("usageEarlierDrop")].Measure(fading), 6);
    }

    [Fact]
    public void A_new_business_reads_its_windows_over_the_days_it_existed_and_no_drop_without_a_baseline()
    {
        // 40 days a client: 10 days of "prior" is no baseline, so its first weeks are not a rise from nothing.
        var fortyDaysOld = Steady with { TenantAgeDays = 40, LoginsRecent = 30, LoginsPrior = 5, LoginsEarly = 0 };
        // 60 days a client: 30 sign-ins in its first 30 days and 30 since is flat, not a doubling over a 60-day window.
        var sixtyDaysOld = Steady with { TenantAgeDays = 60, LoginsRecent = 30, LoginsPrior = 30, LoginsEarly = 0 };

        Assert.Equal(0, ChurnFactors.All[Index("loginDrop")].Measure(fortyDaysOld), 6);
        Assert.Equal(0, ChurnFactors.All[Index("loginDrop")].Measure(sixtyDaysOld), 6);
        Assert.Equal(-Math.Log(16.0 / 31), ChurnFactors.All[Index("loginDrop")].Measure(sixtyDaysOld with { LoginsRecent = 15 }), 6);
        Assert.Equal(0, ChurnFactors.All[Index("loginFade")].Measure(sixtyDaysOld with { LoginsRecent = 5 }), 6);
        Assert.Equal(0, ChurnFactors.All[Index("usageEarlierDrop")].Measure(sixtyDaysOld), 6);
    }

    [Fact]
    public void The_owners_own_sign_ins_falling_counts_apart_from_the_teams()
    {
        var factor = ChurnFactors.All[Index("ownerSignInDrop")];

        Assert.Equal(0, factor.Measure(Steady with { OwnerLoginsRecent = 10, OwnerLoginsPrior = 20 }), 6);
        Assert.Equal(-Math.Log(2.0 / 11), factor.Measure(Steady with { OwnerLoginsRecent = 1, OwnerLoginsPrior = 20 }), 6);
    }

    [Fact]
    public void Weekly_use_falling_is_the_slope_of_its_log_over_the_last_four_weeks()
    {
        var factor = ChurnFactors.All[Index("weeklyUseFall4")];
        var steadyWeeks = Steady with { UseWeekly = [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50] };
        // Each of the last four weeks e^-0.5 of the one before (on 1 + use): 0.5 a week.
        var falling = steadyWeeks with { UseWeekly = [50, 50, 50, 50, 50, 50, 50, 50, 99, 59, 35, 21] };
        var expected = -Slope([Math.Log(100), Math.Log(60), Math.Log(36), Math.Log(22)]);

        Assert.Equal(0, factor.Measure(steadyWeeks), 6);
        Assert.Equal(expected, factor.Measure(falling), 6);
        Assert.InRange(expected, 0.49, 0.52);
        Assert.True(factor.Measure(steadyWeeks with { UseWeekly = [50, 50, 50, 50, 50, 50, 50, 50, 10, 20, 40, 80] }) < 0);
        Assert.Equal(0, factor.Measure(falling with { TenantAgeDays = 20 }), 6);
    }

    [Fact]
    public void The_shipped_model_loads_and_every_factor_has_a_playbook()
    {
        Assert.Equal(ChurnFactors.All.Select(f => f.Name), ChurnModel.Default.Factors);
        Assert.All(ChurnFactors.All, factor => Assert.True(ChurnPlaybooks.Covers(factor.Name), factor.Name));
    }

    [Fact]
    public void A_business_whose_payments_fail_and_owner_is_away_scores_higher_with_those_as_reasons()
    {
        var troubled = Steady with { OverdueInvoices = 2, FailedPayments = 2, OwnerIdleDays = 60, LoginsRecent = 10 };
        var model = ChurnModel.Default;

        var steadyRisk = model.Probability(ChurnFactors.Measure(Steady));
        var troubledRisk = model.Probability(ChurnFactors.Measure(troubled));
        var reasons = model.Explain(troubled).OrderByDescending(f => f.Contribution).Take(3).Select(f => f.Factor).ToList();

        Assert.True(troubledRisk > steadyRisk, $"{troubledRisk} <= {steadyRisk}");
        Assert.Contains(reasons, r => r is "overdueInvoices" or "failedPayments" or "ownerIdle" or "loginDrop");
    }

    private static double Slope(double[] ys)
    {
        var meanX = (ys.Length - 1) / 2.0;
        var meanY = ys.Average();
        return ys.Select((y, x) => (x - meanX) * (y - meanY)).Sum() / ys.Select((_, x) => (x - meanX) * (x - meanX)).Sum();
    }

    private static int Index(string name) => ChurnFactors.All.ToList().FindIndex(f => f.Name == name);
}
