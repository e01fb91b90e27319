using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Scoring.ColdStart;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring.Governance;

public sealed record ModelCard(
    int Version, DateTimeOffset TrainedAt, int Samples, int Converted, DateTimeOffset? TrainingFrom, DateTimeOffset? TrainingTo,
    double ValidationAuc, double HotPrecision, double HotShare, IReadOnlyList<FeatureImportance> TopFeatures,
    IReadOnlyList<DroppedFeature> DroppedFeatures, IReadOnlyList<string> KnownLimits);

public sealed record LiveQuality(DateTimeOffset Since, int Outcomes, double? Auc, double? CalibrationError, int HotDecided, double? HotConversion, string Assessment);

/// <param name="Of">lead: one of the lead's own attributes (<see cref="ModelGovernanceService.Attributes"/>), binned the
/// same way for every business; model: one of the serving model's feature columns, in the model's own bins.</param>
public sealed record FeatureDrift(string Feature, double Stability, string Status, long TrainingLeads, long RecentLeads, string Of = "lead");

public sealed record FairnessGroup(string Group, long Leads, double HotRate, long Decided, double? Conversion, double? HotConversion);

public sealed record FairnessReport(string Attribute, IReadOnlyList<FairnessGroup> Groups, double? HotRateDisparity, double? HotConversionDisparity);

public sealed record RetrainAdvice(bool Recommended, IReadOnlyList<string> Reasons);

/// <summary>
/// The industry's pooled knowledge the business starts from (docs/model-governance.md, cold start): how many businesses
/// and outcomes it holds, its AUC on businesses it left out, and the weight it has in the served score now.
/// </summary>
public sealed record IndustryPoolCard(string Industry, string Label, int Businesses, int Decided, int Won, double? ValidationAuc, DateTimeOffset BuiltAt, double PoolWeight);

/// <param name="Serving">What scores the business's leads: the rules, its own model, the industry's pool or both blended.</param>
public sealed record ModelGovernance(
    DateTimeOffset EvaluatedAt, string Serving, ModelCard? Card, IndustryPoolCard? IndustryPool, LiveQuality? Live, IReadOnlyList<FeatureDrift> Drift,
    IReadOnlyList<FairnessReport> Fairness, RetrainAdvice Retrain);

/// <summary>
/// Model governance of the lead scorer (docs/model-governance.md): the serving model's card, live quality once outcomes
/// arrive, drift of the lead population since training, and the hot tier's rate and conversion per group of an
/// attribute the tenant chooses, with disparity ratios; all computed in the database from aggregates.
/// </summary>
public sealed class ModelGovernanceService(StreamFlowDatabase database, ModelRegistry models, IndustryPools pools, TenantKeyring keyring, TimeProvider timeProvider)
{
    public static readonly IReadOnlyList<string> Attributes = ["source", "state", "postalArea"];

    private const int MinOutcomes = 100;
    private const int MinGroupLeads = 30;
    private const int MinRecentLeadsToAdvise = 100;
    private const int MaxRecentLeads = 20_000;
    private const double ShiftedStability = 0.25;
    private const double ShiftingStability = 0.1;
    private const double MaxCalibrationError = 0.15;
    private const double MaxAucDrop = 0.05;
    private static readonly TimeSpan RecentWindow = TimeSpan.FromDays(30);
    private static readonly TimeSpan FairnessWindow = TimeSpan.FromDays(90);

    public async Task<ModelGovernance> EvaluateAsync(Guid tenantId, IReadOnlyList<string> fairnessBy, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var run = await models.ServingRunAsync(tenantId, cancellationToken);
        var model = run is null ? null : await models.ServingAsync(tenantId, cancellationToken);
        var trainedAt = run?.TrainedAt;
        var keys = model?.Report.TrainingPopulation is null && fairnessBy.All(attribute => attribute == "source")
            ? null
            : await keyring.ForTenantAsync(tenantId, cancellationToken);

        return await database.InTenantAsync(tenantId, async scope =>
        {
            var card = model is null || run?.Version is null || trainedAt is null
                ? null
                : await CardAsync(scope, run.Version.Value, trainedAt.Value, model.Report);
            var industry = (await ScoringSettingsStore.LoadContextAsync(scope, tenantId))?.Industry;
            var pool = industry is null ? null : await pools.ForAsync(scope, industry);
            var poolCard = pool is null ? null : PoolCard(pool, model);
            var live = trainedAt is null ? null : Live(trainedAt.Value, await ModelGovernanceStore.OutcomesSinceAsync(scope, trainedAt.Value));
            var drift = new List<FeatureDrift>();
            if (trainedAt is { } trained)
            {
                foreach (var attribute in Attributes)
                {
                    drift.Add(Drift(attribute,
                        await ModelGovernanceStore.TrainingPopulationAsync(scope, attribute, trained),
                        await ModelGovernanceStore.RecentPopulationAsync(scope, attribute, now - RecentWindow)));
                }
            }

            if (model?.Report.TrainingPopulation is { } trainingPopulation && keys is not null)
            {
                var recent = (await ModelGovernanceStore.RecentLeadsAsync(scope, now - RecentWindow, MaxRecentLeads))
                    .Select(lead => LeadProfiles.From(lead.ToLead(keys)));
                var recentPopulation = model.Populations(recent).ToDictionary(p => p.Feature, p => p.Leads, StringComparer.Ordinal);
                drift.AddRange(trainingPopulation.Select(column =>
                    Drift(column.Feature, column.Leads, recentPopulation.GetValueOrDefault(column.Feature) ?? new Dictionary<string, long>(), "model")));
            }

            var fairness = new List<FairnessReport>();
            foreach (var attribute in fairnessBy)
            {
                fairness.Add(Fairness(attribute, await ModelGovernanceStore.FairnessAsync(scope, keys, attribute, now - FairnessWindow)));
            }

            return new ModelGovernance(now, Serving(model, pool), card, poolCard, live, drift, fairness, Advise(card, poolCard, live, drift));
        }, cancellationToken);
    }

    private static async Task<ModelCard> CardAsync(DbTransactionScope scope, int version, DateTimeOffset trainedAt, ConversionModelReport report)
    {
        var period = await ModelGovernanceStore.TrainingPeriodAsync(scope, trainedAt);
        var limits = new List<string>();
        if (report.Samples < 1000)
        {
            limits.Add($"Trained on {report.Samples} decided leads: below 1,000 its AUC of {report.Auc:0.00} can move by a few points with the next outcomes.");
        }

        if (report.Converted < 100)
        {
            limits.Add($"Only {report.Converted} of them converted: the hot tier's precision rests on few examples.");
        }

        if (report.DroppedFeatures.Count > 0)
        {
            limits.Add($"{report.DroppedFeatures.Count} column(s) were not used ({string.Join(", ", report.DroppedFeatures.Take(5).Select(d => d.Name))}): changes there do not move scores.");
        }

        limits.Add("It scores leads like those it learned from: sources, areas or values it never saw fall back to the rules and the 'other' category.");
        return new ModelCard(
            version, trainedAt, report.Samples, report.Converted, Utc(period.From), Utc(period.To), report.Auc, report.HotPrecision, report.HotShare,
            [.. report.FeatureImportance.OrderByDescending(f => f.Importance).Take(5)], report.DroppedFeatures, limits);
    }

    private static LiveQuality Live(DateTimeOffset since, IReadOnlyList<ScoredOutcome> outcomes)
    {
        var scores = outcomes.Select(o => (double)o.Score).ToList();
        var won = outcomes.Select(o => o.Won).ToList();
        var hot = outcomes.Where(o => o.Tier == "hot").ToList();
        var auc = RankingMetrics.Auc(scores, won);
        var calibration = GovernanceMath.CalibrationError([.. scores.Select(s => s / 100)], won);
        var assessment = outcomes.Count < MinOutcomes
            ? $"{outcomes.Count} outcome(s) arrived since training; live figures are read from {MinOutcomes}."
            : $"{outcomes.Count} outcomes arrived since training, none of them seen by the model.";
        return new LiveQuality(
            since, outcomes.Count, double.IsNaN(auc) ? null : auc, double.IsNaN(calibration) ? null : calibration,
            hot.Count, hot.Count == 0 ? null : hot.Count(o => o.Won) / (double)hot.Count, assessment);
    }

    private static FeatureDrift Drift(string feature, IReadOnlyDictionary<string, long> training, IReadOnlyDictionary<string, long> recent, string of = "lead")
    {
        var stability = GovernanceMath.PopulationStability(training, recent);
        var status = stability > ShiftedStability ? "shifted" : stability > ShiftingStability ? "shifting" : "stable";
        return new FeatureDrift(feature, Math.Round(stability, 4), status, training.Values.Sum(), recent.Values.Sum(), of);
    }

    private static FairnessReport Fairness(string attribute, IReadOnlyList<FairnessRow> rows)
    {
        var groups = rows.Select(row => new FairnessGroup(
            row.Grp, row.Leads, row.Hot / (double)row.Leads, row.Decided,
            row.Decided == 0 ? null : row.Won / (double)row.Decided,
            row.HotDecided == 0 ? null : row.HotWon / (double)row.HotDecided)).ToList();
        var compared = groups.Where(g => g.Leads >= MinGroupLeads).ToList();
        return new FairnessReport(
            attribute, groups,
            GovernanceMath.DisparityRatio(compared.Select(g => g.HotRate)),
            GovernanceMath.DisparityRatio(compared.Where(g => g.HotConversion is not null && g.Decided >= MinGroupLeads).Select(g => g.HotConversion!.Value)));
    }

    private static IndustryPoolCard PoolCard(IndustryPool pool, ConversionModel? own) =>
        new(pool.Industry, pool.Label, pool.Businesses, pool.Decided, pool.Won, double.IsNaN(pool.ValidationAuc) ? null : pool.ValidationAuc, pool.BuiltAt,
            Math.Round(1 - (own is null ? 0 : ServingModel.OwnWeight(own.Report.Samples)), 4));

    private static string Serving(ConversionModel? own, IndustryPool? pool) => (own, pool) switch
    {
        (null, null) => "rules",
        (null, { } p) => p.Label,
        ({ } o, null) => o.Label,
        ({ } o, { } p) => $"{o.Label}+{p.Label}",
    };

    private static RetrainAdvice Advise(ModelCard? card, IndustryPoolCard? pool, LiveQuality? live, IReadOnlyList<FeatureDrift> drift)
    {
        var reasons = new List<string>();
        if (card is null)
        {
            return new RetrainAdvice(false, [pool is null
                ? "No model is serving: scores come from the rules until one is trained."
                : $"No model of the business's own yet: scores come from the {pool.Industry} industry's pool of {pool.Businesses} businesses until it has enough outcomes to train one."]);
        }

        // A model column is read from 100 recent leads: on a handful the index swings without anything having changed.
        reasons.AddRange(drift.Where(d => d.Status == "shifted" && (d.Of == "lead" || d.RecentLeads >= MinRecentLeadsToAdvise))
            .Select(d => d.Of == "lead"
                ? $"The leads' {d.Feature} shifted since training (stability index {d.Stability:0.00} > {ShiftedStability})."
                : $"The model's feature '{d.Feature}' shifted since training (stability index {d.Stability:0.00} > {ShiftedStability})."));
        if (live is { Outcomes: >= MinOutcomes })
        {
            if (live.CalibrationError > MaxCalibrationError)
            {
                reasons.Add($"Scores are off by {live.CalibrationError:0.00} on average against what converted (> {MaxCalibrationError}).");
            }

            if (live.Auc < card.ValidationAuc - MaxAucDrop)
            {
                reasons.Add($"Live AUC {live.Auc:0.00} is below the validated {card.ValidationAuc:0.00} by more than {MaxAucDrop}.");
            }
        }

        return new RetrainAdvice(reasons.Count > 0, reasons);
    }

    private static DateTimeOffset? Utc(DateTime? value) => value is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;
}
